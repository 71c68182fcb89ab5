"""The learner's dashboard, and the images modules show."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.extensions import db
from lms.models import MediaFile

bp = Blueprint("learn", __name__)


@bp.route("/")
@login_required
def dashboard():  # noqa: ANN201
    return render_template("learn/dashboard.html", user=current_user)


@bp.route("/media/<name>")
@login_required
def media(name: str):  # noqa: ANN201
    """A module image, from the database so every server answers the same."""
    media_file = db.session.scalar(select(MediaFile).where(MediaFile.name == name))
    if media_file is None:
        abort(404)
    etag = media_file.content_hash
    if etag in request.if_none_match:
        return Response(status=304)
    response = Response(media_file.data, mimetype=media_file.mime_type)
    response.set_etag(etag)
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    if media_file.mime_type == "image/svg+xml":
        # An SVG opened on its own is a document: forbid its scripts and outside requests.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'")
    return response

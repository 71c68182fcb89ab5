"""The learner's dashboard."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("learn", __name__)


@bp.route("/")
@login_required
def dashboard():  # noqa: ANN201
    return render_template("learn/dashboard.html", user=current_user)

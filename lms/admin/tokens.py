"""Every API token of the organisation, for admins: who has one, when it was last used, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_

from lms.api.auth import revoke_token, tokens_query
from lms.extensions import db
from lms.forms import ActionForm
from lms.i18n import _l
from lms.inputs import page_arg
from lms.models import ApiToken, Role, User, utcnow
from lms.security import get_token_or_404, role_required

bp = Blueprint("admin_tokens", __name__)

STATUSES = (("active", _l("Working")), ("all", _l("All, with revoked and expired")))


@bp.before_request
@role_required(Role.ADMIN)
def require_admin() -> None:
    """Every page here needs the admin role."""


@bp.route("/")
def index():  # noqa: ANN201
    q = request.args.get("q", "").strip()[:254]
    status = request.args.get("status", "active")
    now = utcnow()
    query = tokens_query().join(ApiToken.user)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like),
                                func.lower(ApiToken.name).like(like)))
    if status != "all":
        status = "active"
        query = query.where(ApiToken.revoked_at.is_(None),
                            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))
    page = db.paginate(query, page=page_arg(), per_page=50, error_out=False)
    return render_template("admin/tokens.html", page=page, filters={"q": q, "status": status},
                           statuses=STATUSES, action=ActionForm(), now=now)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):  # noqa: ANN201
    token = get_token_or_404(current_user, token_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    revoke_token(token)
    db.session.commit()
    flash(_("%(name)s's token “%(token)s” no longer works.", name=token.user.name,
            token=token.name or token.prefix), "success")
    return redirect(url_for("admin_tokens.index"))

"""Each person's own API tokens, under their account: the list, a new token, revoking one.

Admins see and revoke everyone's tokens on the admin page (lms.admin.tokens).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.api.auth import API_ROLES, create_token, revoke_token, tokens_query
from lms.auth.forms import TokenForm
from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.models import utcnow
from lms.security import get_token_or_404

bp = Blueprint("tokens", __name__)


def _page(form: TokenForm) -> str:
    tokens = db.session.scalars(tokens_query(current_user)).all()
    may_create = current_user.role_enum in API_ROLES
    return render_template("auth/tokens.html", tokens=tokens, form=form, action=ActionForm(),
                           may_create=may_create, now=utcnow())


@bp.route("/account/tokens")
@login_required
def index():  # noqa: ANN201
    return _page(TokenForm())


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create():  # noqa: ANN201
    if current_user.role_enum not in API_ROLES:
        abort(403)
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form)
    try:
        token, plain = create_token(current_user._get_current_object(), form.name.data or "",
                                    expires_in_days=form.expires_in_days)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _page(form)
    db.session.commit()
    # Shown in this answer only: a redirect would carry it through the (readable) session cookie.
    return render_template("auth/token_created.html", token=token, plain=plain)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):  # noqa: ANN201
    token = get_token_or_404(current_user, token_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    revoke_token(token)
    db.session.commit()
    flash(_("The token “%(name)s” no longer works.", name=token.name or token.prefix), "success")
    return redirect(url_for("tokens.index"))

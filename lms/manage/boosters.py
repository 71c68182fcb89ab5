"""Managers and admins switch spaced boosters on or off for a learning path or a module, with
the number of questions a day.

The setting is org-wide per content item, as the content itself is (a module is the same
module for every team): any manager or admin may change it, and the page says who changed it
last. Learners and trainers get 403. lms/boosters/switches.py has the rules.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from lms.boosters.switches import DEFAULT_PER_DAY, MAX_PER_DAY, save_setting, settings_by_item
from lms.extensions import db
from lms.i18n import _l
from lms.inputs import WholeNumberField
from lms.learning.catalog import live_item, live_items, shown_title
from lms.models import ContentKind, Role
from lms.security import role_required

bp = Blueprint("boosters_admin", __name__)


class BoosterForm(FlaskForm):
    enabled = BooleanField(_l("Boosters on"))
    per_day = WholeNumberField(
        _l("Questions a day at most"),
        validators=[InputRequired(_l("Give the number of questions a day.")),
                    NumberRange(min=1, max=MAX_PER_DAY)],
        render_kw={"min": 1, "max": MAX_PER_DAY, "inputmode": "numeric"})
    submit = SubmitField(_l("Save"))


@bp.before_request
@role_required(Role.MANAGER)
def require_manager() -> None:
    """Every page here needs the manager role (admins always pass)."""


def _rows() -> list[dict]:
    settings = settings_by_item()
    rows = []
    for kind in (ContentKind.PATH, ContentKind.MODULE):
        for item in sorted(live_items(kind).values(), key=lambda i: shown_title(i).lower()):
            row = settings.get(item.id)
            form = BoosterForm(prefix=f"{kind.value}-{item.slug}", formdata=None,
                               data={"enabled": bool(row and row.enabled),
                                     "per_day": row.per_day if row else DEFAULT_PER_DAY})
            rows.append({"item": item, "kind": kind.value, "title": shown_title(item),
                         "is_path": kind is ContentKind.PATH,
                         "setting": row, "form": form})
    return rows


@bp.route("/")
def index():  # noqa: ANN201
    return render_template("manage/boosters.html", rows=_rows())


@bp.route("/<kind>/<slug:slug>", methods=["POST"])
def update(kind: str, slug: str):  # noqa: ANN201
    if kind not in (ContentKind.PATH.value, ContentKind.MODULE.value):
        abort(404)
    item = live_item(ContentKind(kind), slug) or abort(404)
    form = BoosterForm(prefix=f"{kind}-{slug}")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("boosters_admin.index"))
    save_setting(item, enabled=bool(form.enabled.data), per_day=form.per_day.data,
                 by=current_user._get_current_object())
    db.session.commit()
    if form.enabled.data:
        flash(_("Boosters are on for %(title)s, at most %(num)s a day.",
                title=shown_title(item), num=form.per_day.data), "success")
    else:
        flash(_("Boosters are off for %(title)s.", title=shown_title(item)), "success")
    return redirect(url_for("boosters_admin.index"))

"""A salesperson's follow-ups and complaints to act on (registered under /learn/follow-ups),
and the page that records one done, which the manager's team page (lms.manage.followups)
shares. A person sees only their own deals here: any other deal is a 404."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.bounds import MAX_ID
from lms.clock import local_today
from lms.errors import DomainError
from lms.extensions import db
from lms.learn.followup_forms import SaleActionForm
from lms.models import ActionKind, Sale, User
from lms.sales.actions import can_act, record_action
from lms.sales.recorded import RECENT_DAYS, recently_recorded
from lms.sales.worklist import person_standing, person_worklist, rules_from
from lms.security import can_view_user

bp = Blueprint("followups", __name__)

#: The URL's word for each kind of action.
KINDS = {"follow-up": ActionKind.FOLLOW_UP, "resolution": ActionKind.RESOLUTION}


def sale_or_404(sale_id: int, *, owner: User | None = None, viewer: User | None = None) -> Sale:
    """A deal of ``owner``, or of a salesperson ``viewer`` may see (lms.security decides);
    anything else is not found, so other people's deal ids cannot be probed."""
    sale = db.session.get(Sale, sale_id) if 0 < sale_id <= MAX_ID else None
    if sale is None or sale.user_id is None:
        abort(404)
    if owner is not None and sale.user_id != owner.id:
        abort(404)
    if viewer is not None:
        person = db.session.get(User, sale.user_id)
        if person is None or not can_view_user(viewer, person):
            abort(404)
    return sale


def action_page(sale: Sale, kind: ActionKind, *, back: str, back_label: str):  # noqa: ANN201
    """Show and handle the form that records ``kind`` for ``sale``: on success back to the
    list; a bad date re-renders the form with the reason (400) and changes nothing."""
    if not can_act(sale, kind):
        flash(_("This follow-up is already recorded.") if kind == ActionKind.FOLLOW_UP
              else _("This complaint is already resolved."), "info")
        return redirect(back)
    today = local_today()
    form = SaleActionForm()
    if request.method == "GET":
        form.done_on.data = today
    elif form.validate_on_submit():
        try:
            record_action(sale, kind, form.done_on.data, form.note.data or "",
                          actor=current_user, today=today)
        except DomainError as exc:
            db.session.rollback()
            target = form.done_on if exc.field == "done_on" else None
            if target is not None:
                target.errors = [*target.errors, exc.message]
            else:
                flash(exc.message, "error")
                return redirect(back)
        else:
            db.session.commit()
            if kind == ActionKind.FOLLOW_UP:
                flash(_("Follow-up recorded for %(customer)s.", customer=sale.customer_name),
                      "success")
            else:
                flash(_("Complaint of %(customer)s marked resolved.",
                        customer=sale.customer_name), "success")
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render_template("learn/followups/record.html", form=form, sale=sale,
                           follow_up=kind == ActionKind.FOLLOW_UP, back=back,
                           back_label=back_label), status


@bp.route("/")
@login_required
def index():  # noqa: ANN201
    rules = rules_from(current_app.config, local_today())
    return render_template("learn/followups/index.html",
                           work=person_worklist(current_user.id, rules), rules=rules,
                           standing=person_standing(current_user.id, rules),
                           recorded=recently_recorded(Sale.user_id == current_user.id),
                           recent_days=RECENT_DAYS)


@bp.route("/<int:sale_id>/follow-up", methods=["GET", "POST"], defaults={"what": "follow-up"})
@bp.route("/<int:sale_id>/resolution", methods=["GET", "POST"],
          defaults={"what": "resolution"})
@login_required
def record(sale_id: int, what: str):  # noqa: ANN201
    sale = sale_or_404(sale_id, owner=current_user)
    return action_page(sale, KINDS[what], back=url_for("followups.index"),
                       back_label=_("My follow-ups"))

"""What learners thought of the training, for trainers: averages per question and the comments,
per module or path and per version, only where at least five people answered, never with
names (lms/analytics/reactions.py). Registered under /author/reactions; trainers and admins
only."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from lms.analytics.reactions import MIN_ANSWERS, QUESTIONS, item_results, overview
from lms.content.store import get_item
from lms.i18n import _l
from lms.models import ContentKind, Role
from lms.security import role_required

bp = Blueprint("author_reactions", __name__)

KINDS = {"modules": ContentKind.MODULE, "paths": ContentKind.PATH}
#: The questions as trainers read them, in the order they are asked.
QUESTION_LABELS = {"useful": _l("Useful for the work"), "clear": _l("Clear"),
                   "recommend": _l("Would recommend to a colleague")}


@bp.before_request
@role_required(Role.TRAINER)
def require_trainer() -> None:
    """Trainers (and admins) only: managers and learners get 403."""


@bp.route("/")
def index():  # noqa: ANN201
    return render_template("author/reactions.html", sections=overview(), minimum=MIN_ANSWERS,
                           questions=QUESTIONS, labels=QUESTION_LABELS)


@bp.route("/<kind>/<slug:slug>")
def item(kind: str, slug: str):  # noqa: ANN201
    if kind not in KINDS:
        abort(404)
    content = get_item(KINDS[kind], slug)
    if content is None or content.current_version is None:
        abort(404)
    return render_template("author/reactions_item.html", item=content,
                           results=item_results(content), minimum=MIN_ANSWERS,
                           questions=QUESTIONS, labels=QUESTION_LABELS, segment=kind)

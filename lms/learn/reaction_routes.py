"""The learner's answer to "what did you think of it?" after a module or path: the form (shown
on the page they land on, and on a page of its own when an answer needs correcting), and
"not now". Registered under /learn/reactions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.learn.reaction_forms import ReactionForm
from lms.learning.catalog import live_item, shown_title
from lms.learning.reactions import Prompt, completed_version, dismiss_reaction, record_reaction
from lms.models import ContentItem, ContentKind

bp = Blueprint("reactions", __name__)

KINDS = {"modules": ContentKind.MODULE, "paths": ContentKind.PATH}


def _item(kind: str, slug: str) -> ContentItem:
    if kind not in KINDS:
        abort(404)
    return live_item(KINDS[kind], slug) or abort(404)


def item_page(item: ContentItem) -> str:
    endpoint = "learn.module" if item.kind == ContentKind.MODULE.value else "learn.path"
    return url_for(endpoint, slug=item.slug)


def _back(item: ContentItem) -> str:
    """Where the learner came from (a page of their own training), else the item's page."""
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/learn/") and "//" not in target and "\\" not in target:
        return target
    return item_page(item)


def reaction_context(prompt: Prompt | None) -> dict:
    """What a landing page needs to show the questions (nothing when there is nothing to ask)."""
    if prompt is None:
        return {"reaction": None}
    return {"reaction": prompt, "reaction_form": ReactionForm(formdata=None),
            "reaction_segment": "modules" if prompt.kind == ContentKind.MODULE.value
            else "paths",
            # Back to this page after answering.
            "reaction_back": request.full_path.rstrip("?")}


@bp.route("/<kind>/<slug:slug>", methods=["GET", "POST"])
@login_required
def answer(kind: str, slug: str):  # noqa: ANN201
    item = _item(kind, slug)
    form = ReactionForm()
    if request.method == "GET" and completed_version(current_user.id, item) is None:
        flash(_("You can give your opinion on “%(title)s” once you have completed it.",
                title=shown_title(item)), "info")
        return redirect(item_page(item))
    if form.validate_on_submit():
        try:
            record_reaction(current_user.id, item, useful=form.useful.data,
                            clear=form.clear.data, recommend=form.recommend.data,
                            comment=form.comment.data or "")
        except DomainError as exc:
            db.session.rollback()
            field = getattr(form, exc.field, None) if exc.field else None
            if field is None:
                flash(exc.message, "error")
                return redirect(_back(item))
            field.errors = [*field.errors, exc.message]
        else:
            db.session.commit()
            flash(_("Thank you: your answer helps the trainers improve “%(title)s”.",
                    title=shown_title(item)), "success")
            return redirect(_back(item))
    # (A POST without a valid CSRF token never gets here: CSRFProtect answers 400.)
    return render_template("learn/reaction.html", item=item, form=form, segment=kind,
                           back=_back(item))


@bp.route("/<kind>/<slug:slug>/dismiss", methods=["POST"])
@login_required
def dismiss(kind: str, slug: str):  # noqa: ANN201
    item = _item(kind, slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        dismiss_reaction(current_user.id, item)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "info")
    else:
        db.session.commit()
        flash(_("Fine: we will not ask about “%(title)s” again.", title=shown_title(item)),
              "info")
    return redirect(_back(item))

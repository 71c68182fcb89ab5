"""The learner's dashboard, learning paths, module reading, and the images modules show."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.boosters.cards import feedback_for, todays_boosters
from lms.boosters.report import person_retention
from lms.clock import local_today
from lms.coaching.observations import unacknowledged_count
from lms.content.documents import ModuleDoc
from lms.content.rendering import render_markdown, without_title_heading
from lms.extensions import commit_keeping_loaded, db
from lms.forms import ActionForm
from lms.inputs import id_arg
from lms.learn.booster_forms import PauseForm
from lms.learn.reaction_routes import reaction_context
from lms.learning.catalog import current_doc, live_item, live_items, untranslated_language
from lms.learning.completion import (
    lock_of,
    mark_read,
    path_completions,
    path_progress,
    progress_map,
    record_opened,
)
from lms.learning.dashboard import build_dashboard
from lms.learning.goal_progress import goals_overview
from lms.learning.reactions import module_prompt, path_prompt
from lms.learning.rollouts import withheld_from
from lms.models import ContentItem, ContentKind, MediaFile, Role

bp = Blueprint("learn", __name__)


def module_url(slug: str, anchor: str | None) -> str:
    return url_for("learn.module", slug=slug) + (f"#{anchor}" if anchor else "")


def media_url(name: str) -> str:
    return url_for("learn.media", name=name)


@bp.app_template_filter("markdown")
def markdown_filter(text: str | None) -> str:
    """Trainers' Markdown (descriptions, prompts) as sanitised HTML, links pointing at the
    learner's pages."""
    if not text:
        return ""
    return render_markdown(text, module_url=module_url, media_url=media_url).html


def withheld_page(item: ContentItem):  # noqa: ANN201 - a response, or None
    """The "not yet" page for an item a rollout's waitlist keeps from this person."""
    withheld = withheld_from(current_user)
    if item.id not in withheld:
        return None
    return render_template("learn/withheld.html", item=item,
                           starts_on=withheld.starts_on[item.id]), 403


@bp.route("/")
@login_required
def dashboard():  # noqa: ANN201
    # Read once for the goals and the assigned training both.
    progress, certificates = progress_map(current_user.id), path_completions(current_user.id)
    goals = goals_overview(current_user, progress=progress, certificates=certificates)
    boosters = todays_boosters(current_user, local_today())
    # Salespeople are coached; the count is what waits for them (lms.coaching).
    coaching = (unacknowledged_count(current_user.id)
                if current_user.has_role(Role.LEARNER) else None)
    page = render_template("learn/dashboard.html", user=current_user,
                           board=build_dashboard(current_user, progress=progress,
                                                 certificates=certificates),
                           goals=goals, coaching=coaching,
                           boosters=boosters, action=ActionForm(), pause_form=PauseForm(),
                           answered=feedback_for(current_user,
                                                 id_arg("answered")),
                           retention=person_retention(current_user.id),
                           shown_at=int(time.time()), markdown=markdown_filter)
    # goals_overview records when a training goal is first achieved, and a booster whose
    # question left its quiz is retired: keep both. Committed once the page is rendered: a
    # commit expires every loaded row, and the page would read them all again.
    db.session.commit()
    return page


@bp.route("/paths/<slug:slug>")
@login_required
def path(slug: str):  # noqa: ANN201
    item = live_item(ContentKind.PATH, slug) or abort(404)
    if (waiting := withheld_page(item)) is not None:
        return waiting
    progress = path_progress(current_user.id, item) or abort(404)
    return render_template("learn/path.html", progress=progress, **reaction_context(
        path_prompt(current_user.id, item, progress.completion)))


@bp.route("/modules/<slug:slug>")
@login_required
def module(slug: str):  # noqa: ANN201
    item = live_item(ContentKind.MODULE, slug) or abort(404)
    if (waiting := withheld_page(item)) is not None:
        return waiting
    doc = current_doc(item)
    if not isinstance(doc, ModuleDoc):
        abort(404)
    modules = live_items(ContentKind.MODULE)
    progress = progress_map(current_user.id)
    lock = lock_of(current_user.id, doc, progress, modules)
    if lock.locked:
        return render_template("learn/module_locked.html", item=item, doc=doc, lock=lock), 403
    # Reading is recorded; the write happens on a GET deliberately: "opened" is what happened.
    row = record_opened(current_user, item, progress=progress)
    commit_keeping_loaded()
    rendered = render_markdown(without_title_heading(doc.body, doc.title),
                               module_url=module_url, media_url=media_url)
    quiz = live_item(ContentKind.QUIZ, doc.quiz) if doc.quiz else None
    return render_template("learn/module.html", item=item, doc=doc, rendered=rendered,
                           progress=row, quiz=quiz, untranslated=untranslated_language(item),
                           path_slug=request.args.get("path"),
                           **reaction_context(module_prompt(current_user.id, item, row)))


@bp.route("/modules/<slug:slug>/read", methods=["POST"])
@login_required
def module_read(slug: str):  # noqa: ANN201
    item = live_item(ContentKind.MODULE, slug) or abort(404)
    if (waiting := withheld_page(item)) is not None:
        return waiting
    doc = current_doc(item)
    if not isinstance(doc, ModuleDoc) or not ActionForm().validate_on_submit():
        abort(400)
    if lock_of(current_user.id, doc, progress_map(current_user.id),
               live_items(ContentKind.MODULE)).locked:
        abort(403)
    progress = mark_read(current_user, item)
    db.session.commit()
    if progress.completed_at is not None:
        flash(_("“%(title)s” is complete.", title=doc.title), "success")
    elif doc.quiz:
        flash(_("Marked as read. Pass the quiz to complete the module."), "info")
        return redirect(url_for("quiz.overview", slug=doc.quiz))
    return redirect(url_for("learn.module", slug=slug, path=request.args.get("path")))


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

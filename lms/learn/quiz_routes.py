"""Taking quizzes: the overview with attempts and rules, starting or resuming an attempt,
answering (with saving), submitting, and the result with feedback."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from lms.content.documents import ModuleDoc
from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.learn.answers import responses_from_form
from lms.learn.reaction_routes import reaction_context
from lms.learn.routes import media_url, module_url, withheld_page
from lms.learning.attempts import (
    doc_for,
    expired,
    finish_open_attempt,
    save_responses,
    start_attempt,
    submit,
)
from lms.learning.catalog import (
    current_doc,
    is_current_version,
    live_item,
    live_items,
    untranslated_language,
)
from lms.learning.completion import (
    lock_of,
    progress_map,
    progress_of,
    update_completion_for_quiz,
)
from lms.learning.reactions import module_prompt
from lms.learning.standing import standing
from lms.models import Attempt, AttemptStatus, ContentKind, utcnow
from lms.quiz import rules
from lms.quiz.grading import describe_correct_answer, grade
from lms.quiz.responses import describe_response

bp = Blueprint("quiz", __name__)


def _markdown(text: str | None) -> str:
    from lms.content.rendering import render_markdown

    return render_markdown(text, module_url=module_url, media_url=media_url).html if text else ""


def _module_of(quiz_slug: str):  # noqa: ANN202
    """The module that ends with this quiz (its prerequisites gate the quiz too)."""
    for item in live_items(ContentKind.MODULE).values():
        doc = current_doc(item)
        if isinstance(doc, ModuleDoc) and doc.quiz == quiz_slug:
            return item, doc
    return None, None


def _own_attempt(attempt_id: int) -> Attempt:
    """Attempts are private: another person's attempt does not exist for you."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.route("/quizzes/<slug:slug>")
@login_required
def overview(slug: str):  # noqa: ANN201
    quiz = live_item(ContentKind.QUIZ, slug) or abort(404)
    if (waiting := withheld_page(quiz)) is not None:
        return waiting
    module, module_doc = _module_of(slug)
    lock = (lock_of(current_user.id, module_doc, progress_map(current_user.id),
                    live_items(ContentKind.MODULE)) if module_doc else None)
    state = standing(current_user, quiz)
    return render_template("learn/quiz_overview.html", quiz=quiz, doc=current_doc(quiz),
                           untranslated=untranslated_language(quiz),
                           state=state, module=module, lock=lock, action=ActionForm(),
                           markdown=_markdown)


@bp.route("/quizzes/<slug:slug>/start", methods=["POST"])
@login_required
def start(slug: str):  # noqa: ANN201
    quiz = live_item(ContentKind.QUIZ, slug) or abort(404)
    if (waiting := withheld_page(quiz)) is not None:
        return waiting
    if not ActionForm().validate_on_submit():
        abort(400)
    _, module_doc = _module_of(slug)
    if module_doc and lock_of(current_user.id, module_doc, progress_map(current_user.id),
                              live_items(ContentKind.MODULE)).locked:
        abort(403)
    try:
        attempt = start_attempt(current_user, quiz)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("quiz.overview", slug=slug))
    except IntegrityError:
        # Another tab started the same attempt a moment ago: continue that one.
        db.session.rollback()
        attempt = standing(current_user, quiz).open_attempt
        if attempt is None:
            raise
    return redirect(url_for("quiz.take", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):  # noqa: ANN201
    attempt = _own_attempt(attempt_id)
    if attempt.status != AttemptStatus.OPEN.value:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    now = utcnow()
    if expired(attempt, now):
        finish_open_attempt(attempt, now=now)
        db.session.commit()
        flash(_("The time limit has passed. Your attempt was graded with the answers saved "
                "before the time ran out."), "warning")
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    doc = doc_for(attempt)
    by_id = {q.id: q for q in doc.questions}
    questions = [(row, by_id[row.question_id]) for row in attempt.questions]
    changed = not is_current_version(attempt.quiz, attempt.quiz_version_id)
    return render_template("learn/attempt.html", attempt=attempt, doc=doc, questions=questions,
                           action=ActionForm(), markdown=_markdown, changed=changed,
                           seconds_left=(int((attempt.deadline_at - now).total_seconds())
                                         if attempt.deadline_at else None))


def _responses(attempt: Attempt) -> dict:
    doc = doc_for(attempt)
    by_id = {q.id: q for q in doc.questions}
    return responses_from_form([by_id[row.question_id] for row in attempt.questions],
                               request.form)


@bp.route("/attempts/<int:attempt_id>/save", methods=["POST"])
@login_required
def save(attempt_id: int):  # noqa: ANN201
    attempt = _own_attempt(attempt_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if attempt.status != AttemptStatus.OPEN.value:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    if request.form.get("action") == "submit":
        return _submit(attempt)
    if save_responses(attempt, _responses(attempt)):
        db.session.commit()
        flash(_("Your answers are saved. You can come back and finish later."), "success")
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    return redirect(url_for("quiz.take", attempt_id=attempt.id))  # expired: take() grades it


def _submit(attempt: Attempt):  # noqa: ANN202
    try:
        submission = submit(attempt, _responses(attempt))
        update_completion_for_quiz(attempt.user_id, attempt.quiz, now=submission.submitted_at)
        db.session.commit()
    except IntegrityError:
        # A second submit of the same attempt (double click, second tab): it is graded once.
        db.session.rollback()
    except DomainError:
        db.session.rollback()
    return redirect(url_for("quiz.result", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):  # noqa: ANN201
    attempt = _own_attempt(attempt_id)
    if attempt.submission is None:
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    doc = doc_for(attempt)
    by_id = {q.id: q for q in doc.questions}
    state = standing(current_user, attempt.quiz)
    current_settings = current_doc(attempt.quiz).settings
    reveal = rules.reveal_answers(doc.settings.reveal_answers, passed=state.passed,
                                  attempts_left=state.attempts_left)
    rows = []
    for row in attempt.questions:
        question = by_id[row.question_id]
        graded = grade(question, row.response,
                       multiple_response_scoring=doc.settings.multiple_response_scoring)
        rows.append({"row": row, "question": question, "graded": graded,
                     "given": describe_response(question, row.response),
                     "answer": describe_correct_answer(question) if reveal else None})
    module, _ = _module_of(attempt.quiz.slug)
    # Passed and the module complete: what did they think of it?
    prompt = (module_prompt(current_user.id, module, progress_of(current_user.id, module))
              if module is not None and state.passed else None)
    return render_template("learn/result.html", attempt=attempt, doc=doc, rows=rows,
                           submission=attempt.submission, state=state, reveal=reveal,
                           markdown=_markdown, module=module, action=ActionForm(),
                           pass_mark=current_settings.pass_mark, **reaction_context(prompt))

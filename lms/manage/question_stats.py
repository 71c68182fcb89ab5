"""Question statistics for trainers and managers: facility and discrimination of every question
of one quiz version (see lms.analytics.itemstats), with a CSV export.

Trainers and admins see every graded attempt; a manager sees only the attempts of the people in
their scope, so the figures describe their own teams.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from lms.analytics.csvsafe import csv_text
from lms.analytics.itemstats import ItemStats, QuestionResult, item_statistics
from lms.content.documents import QuizDoc
from lms.content.plaintext import plain_excerpt
from lms.extensions import db
from lms.i18n import _l
from lms.inputs import id_arg
from lms.learning.catalog import doc_of
from lms.models import (
    Attempt,
    AttemptQuestion,
    ContentItem,
    ContentKind,
    ContentVersion,
    Role,
    Submission,
)
from lms.security import role_required, visible_people_ids

bp = Blueprint("question_stats", __name__)

EXCERPT_LENGTH = 90
#: The question types as the page and the CSV name them (lms.content.documents).
TYPE_LABELS = {
    "single_choice": _l("single choice"), "multiple_response": _l("multiple response"),
    "true_false": _l("true false"), "numeric": _l("numeric"), "short_text": _l("short text"),
    "matching": _l("matching"),
}


def _people():  # noqa: ANN202 - a SELECT of user ids, or None for everyone
    if current_user.has_role(Role.MANAGER):
        return visible_people_ids(current_user)
    return None  # trainers and admins


def _graded(query, people):  # noqa: ANN001, ANN202
    query = query.join(Submission, Submission.attempt_id == Attempt.id)
    return query if people is None else query.where(Attempt.user_id.in_(people))


@bp.route("/")
@role_required(Role.TRAINER, Role.MANAGER)
def index():  # noqa: ANN201
    """Every quiz with its versions and how many graded attempts each has (two queries)."""
    versions = db.session.execute(
        select(ContentItem, ContentVersion)
        .join(ContentVersion, ContentVersion.item_id == ContentItem.id)
        .where(ContentItem.kind == ContentKind.QUIZ.value)
        .order_by(ContentItem.slug, ContentVersion.number.desc())).all()
    counts = dict(db.session.execute(_graded(
        select(Attempt.quiz_version_id, func.count()).select_from(Attempt), _people())
        .group_by(Attempt.quiz_version_id)).all())
    quizzes: dict[int, dict] = {}
    for item, version in versions:
        entry = quizzes.setdefault(item.id, {"item": item, "title": version.title,
                                             "versions": []})
        if version.id == item.current_version_id:
            entry["title"] = version.title
        entry["versions"].append((version, counts.get(version.id, 0)))
    listed = sorted(quizzes.values(), key=lambda q: (q["item"].retired_at is not None,
                                                     q["title"].lower()))
    return render_template("manage/question_stats/index.html", quizzes=listed)


@dataclass(frozen=True)
class QuestionLine:
    position: int
    question_id: str
    type: str
    excerpt: str
    stats: ItemStats


def _version_or_404(slug: str) -> tuple[ContentItem, ContentVersion]:
    item = db.session.scalar(select(ContentItem).where(
        ContentItem.kind == ContentKind.QUIZ.value, ContentItem.slug == slug)) or abort(404)
    number = id_arg("version")
    if number is None:
        version = item.current_version or (item.versions[-1] if item.versions else None)
    else:
        version = next((v for v in item.versions if v.number == number), None)
    if version is None:
        abort(404)
    return item, version


def _type_label(kind: str) -> str:
    label = TYPE_LABELS.get(kind)
    return kind.replace("_", " ") if label is None else str(label)


def question_lines(version: ContentVersion) -> tuple[list[QuestionLine], int]:
    """The version's questions in quiz order, each with its statistics, and the number of
    graded attempts they come from (one query)."""
    rows = db.session.execute(_graded(
        select(AttemptQuestion.attempt_id, AttemptQuestion.question_id, AttemptQuestion.points,
               AttemptQuestion.max_points)
        .join(Attempt, AttemptQuestion.attempt_id == Attempt.id), _people())
        .where(Attempt.quiz_version_id == version.id))
    results = [QuestionResult(aid, qid, points or 0.0, max_points)
               for aid, qid, points, max_points in rows]
    stats = item_statistics(results)
    doc = doc_of(version)
    questions = doc.questions if isinstance(doc, QuizDoc) else ()
    lines = [QuestionLine(i, q.id, _type_label(q.type), plain_excerpt(q.prompt, EXCERPT_LENGTH),
                          stats.get(q.id) or ItemStats(q.id, 0, None, None))
             for i, q in enumerate(questions, start=1)]
    # A question the stored text no longer parses to still has its figures shown.
    known = {q.id for q in questions}
    lines += [QuestionLine(len(lines) + i, qid, "—", "", s)
              for i, (qid, s) in enumerate(sorted(stats.items()), start=1) if qid not in known]
    return lines, len({r.attempt_id for r in results})


@bp.route("/<slug:slug>")
@role_required(Role.TRAINER, Role.MANAGER)
def quiz(slug: str):  # noqa: ANN201
    item, version = _version_or_404(slug)
    lines, attempts = question_lines(version)
    return render_template("manage/question_stats/quiz.html", item=item, version=version,
                           lines=lines, attempts=attempts,
                           scoped=current_user.has_role(Role.MANAGER),
                           csv_url=url_for("question_stats.export", slug=slug,
                                           version=version.number))


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


@bp.route("/<slug:slug>/export.csv")
@role_required(Role.TRAINER, Role.MANAGER)
def export(slug: str):  # noqa: ANN201
    item, version = _version_or_404(slug)
    # A spreadsheet for people: headings, the type and the reasons in the reader's language.
    header = [_("Question id"), _("Type"), _("Question"), _("Attempts"), _("Facility (%)"),
              _("Discrimination (%)"), _("Needs review"), _("Reason")]
    body = csv_text(header, [
        (line.question_id, line.type, line.excerpt, line.stats.n,
         _percent(line.stats.facility), _percent(line.stats.discrimination),
         line.stats.needs_review, " ".join(line.stats.reasons))
        for line in question_lines(version)[0]])
    filename = f"question-stats-{item.slug}-v{version.number}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

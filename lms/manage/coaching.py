"""Managers' coaching pages: the observations of their people, recording one, reading one.

Registered under /manage/coaching. Managers see and coach the people of their teams (and their
direct reports); admins everyone (lms.security). A person out of scope answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.coaching.observations import (
    ObservationFields,
    just_saved,
    observation_or_none,
    record_observation,
    visible_observations,
)
from lms.coaching.rubrics import live_rubrics, rubric_view
from lms.errors import DomainError
from lms.extensions import db
from lms.inputs import id_arg
from lms.manage.coaching_forms import ObservationForm, observation_form
from lms.models import Observation, Role, Rubric, User
from lms.security import get_visible_user_or_404, role_required, visible_people_query

bp = Blueprint("coaching", __name__)


def views_of(observations: list[Observation]) -> dict:
    """Each rubric version used, in the reader's language: {version id: RubricView}."""
    return {o.rubric_version_id: rubric_view(o.rubric_version) for o in observations}


@bp.route("/")
@role_required(Role.MANAGER)
def index():  # noqa: ANN201
    observations = visible_observations(current_user)
    return render_template("coaching/index.html", observations=observations,
                           views=views_of(observations), has_rubric=bool(live_rubrics()))


def _people() -> list[tuple[int, str]]:
    """The salespeople the viewer may coach: active learners in scope, by name."""
    rows = db.session.scalars(visible_people_query(current_user).where(
        User.role == Role.LEARNER.value, User.active.is_(True), User.id != current_user.id)
        .order_by(User.name))
    return [(u.id, u.name) for u in rows]


def _rubric(rubrics: list[Rubric]) -> Rubric:
    wanted = request.values.get("rubric", "")
    return next((r for r in rubrics if r.slug == wanted), rubrics[0])


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def new():  # noqa: ANN201
    rubrics = live_rubrics()
    if not rubrics:
        return render_template("coaching/no_rubric.html")
    rubric = _rubric(rubrics)
    view = rubric_view(rubric.current_version)
    form = observation_form(view, _people())
    if request.method == "GET":
        person_id = id_arg("person")
        if person_id is not None:
            form.person.data = get_visible_user_or_404(current_user, person_id).id
    elif form.validate_on_submit():
        person = get_visible_user_or_404(current_user, form.person.data)
        observation = _record(form, person, rubric, view)
        if observation is not None:
            flash(_("Observation of %(name)s saved. They see it on their coaching page, and "
                    "the next step on their goals.", name=person.name), "success")
            return redirect(url_for("coaching.view", observation_id=observation.id))
    return render_template("coaching/form.html", form=form, rubric=view, rubrics=rubrics,
                           current=rubric)


def _record(form: ObservationForm, person: User, rubric: Rubric, view) -> Observation | None:  # noqa: ANN001
    fields = ObservationFields(
        kind=form.kind.data, observed_on=form.observed_on.data, ratings=form.ratings(),
        strengths=form.strengths.data or "", improvements=form.improvements.data or "",
        next_step=form.next_step.data or "", next_step_due=form.next_step_due.data)
    again = just_saved(current_user, person, fields)
    if again is not None:
        return again
    try:
        observation = record_observation(current_user, person, rubric.current_version, view,
                                         fields)
    except DomainError as exc:
        db.session.rollback()
        target = getattr(form, exc.field, None) if exc.field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, exc.message]
        else:
            form.rating_errors.append(exc.message)
        return None
    db.session.commit()
    return observation


@bp.route("/<int:observation_id>")
@role_required(Role.MANAGER)
def view(observation_id: int):  # noqa: ANN201
    observation = observation_or_none(observation_id) or abort(404)
    get_visible_user_or_404(current_user, observation.user_id)
    return render_template("coaching/view.html", observation=observation,
                           rubric=rubric_view(observation.rubric_version))


"""A salesperson's own coaching observations: the list, one observation, acknowledging it.

Registered under /learn/coaching. A person only ever sees their own observations: any other id
is a 404, whoever asks (managers read them on /manage/coaching).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.coaching.observations import acknowledge as acknowledge_observation
from lms.coaching.observations import observation_or_none, observations_of
from lms.coaching.rubrics import rubric_view
from lms.extensions import db
from lms.forms import ActionForm
from lms.models import Observation

bp = Blueprint("my_coaching", __name__)


def _own(observation_id: int) -> Observation:
    observation = observation_or_none(observation_id)
    if observation is None or observation.user_id != current_user.id:
        abort(404)
    return observation


@bp.route("/")
@login_required
def index():  # noqa: ANN201
    observations = observations_of(current_user.id)
    views = {o.rubric_version_id: rubric_view(o.rubric_version) for o in observations}
    waiting = sum(1 for o in observations if o.acknowledged_at is None)
    return render_template("learn/coaching/list.html", observations=observations, views=views,
                           waiting=waiting, action=ActionForm())


@bp.route("/<int:observation_id>")
@login_required
def view(observation_id: int):  # noqa: ANN201
    observation = _own(observation_id)
    return render_template("learn/coaching/view.html", observation=observation,
                           rubric=rubric_view(observation.rubric_version), action=ActionForm())


@bp.route("/<int:observation_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(observation_id: int):  # noqa: ANN201
    observation = _own(observation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if acknowledge_observation(observation, current_user):
        db.session.commit()
        flash(_("Observation acknowledged. Your manager sees that you have read it."),
              "success")
    return redirect(url_for("my_coaching.view", observation_id=observation.id))

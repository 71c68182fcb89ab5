"""GET /api/v1/reports/impact: the training impact analysis as JSON for an API token.

Query: ``path=SLUG`` or ``module=SLUG`` (default: the path most people completed),
``measure=KEY`` (default win_rate; ``skill_rating`` once coaching observations exist),
``training_measure=score|retention|recall|skill_rating|skill_rating:SKILL_ID`` (default score),
``window=DAYS`` (30-365, default 90) and ``team=NAME``.
A token acts as its user: a manager's token sees their teams and those below, an admin's
everyone; a team out of sight answers 404 like one that does not exist. The answer lists every
person's training day, score and measures before and after, so every figure recomputes from it
(see lms.analytics.impact_report).
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _

from lms.analytics import impact as impact_service
from lms.analytics.effect_report import effect_json, effects_json
from lms.analytics.impact_report import to_dict
from lms.analytics.measures import BY_KEY
from lms.analytics.training_effect import for_params
from lms.api.auth import api_error, requested_scope, token_required, unknown_args
from lms.bounds import parse_whole
from lms.clock import local_today
from lms.errors import DomainError
from lms.models import Role

bp = Blueprint("api_impact", __name__)


@bp.get("/reports/impact")
@token_required(Role.MANAGER)
def impact():  # noqa: ANN201
    choice, error = requested_scope(g.api_user)
    error = unknown_args("path", "module", "measure", "window", "team",
                         "training_measure") or error
    if error is not None:
        return error
    path, module = request.args.get("path", "").strip(), request.args.get("module", "").strip()
    if path and module:
        return api_error(400, _("Give either path or module, not both."))
    training = ("path", path) if path else ("module", module) if module \
        else impact_service.default_training()
    if training is None:
        return api_error(400, _("There is no learning path yet; give %(example)s.",
                                example="module=SLUG"))
    window = parse_whole(request.args.get("window", "90"))
    if window is None:
        return api_error(400, _("%(name)s must be a whole number of days from %(low)d to "
                                "%(high)d.", name="window", low=30, high=365))
    try:
        params = impact_service.params_from(
            current_app.config, kind=training[0], slug=training[1],
            measure=request.args.get("measure", "win_rate").strip(), window_days=window,
            today=local_today(), training_measure=request.args.get("training_measure"))
        result = impact_service.run(choice.scope, params)
    except DomainError as exc:
        return api_error(400, exc.message)
    effects = for_params(choice.scope, params)
    payload = to_dict(result, team=choice.label if choice.team_id else None,
                      waves=effects.waves if effects else None)
    # The causal estimates cover the ten sales measures, not the skill rating.
    payload["effect"] = (effect_json(effects, params.measure) if params.measure in BY_KEY
                         else None)
    payload["effects"] = effects_json(effects)
    return jsonify(payload)

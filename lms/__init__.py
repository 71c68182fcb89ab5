"""Verkoopklaar: the sales-training LMS. ``create_app`` builds the Flask application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from lms.config import PROJECT_ROOT, load_config, sso_configured


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` overrides every other source (tests pass a dict)."""
    instance_path = Path(
        (config or {}).get("INSTANCE_PATH")
        or os.environ.get("LMS_INSTANCE_PATH")
        or PROJECT_ROOT / "instance"
    ).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(instance_path, config))

    if app.config["TRUST_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]

    from lms.inputs import register_inputs

    _init_extensions(app)
    register_inputs(app)
    _register_blueprints(app)

    from lms.cli import register_commands
    from lms.errors import register_error_handlers
    from lms.security import set_security_headers
    from lms.templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    app.after_request(set_security_headers)
    return app


def _init_extensions(app: Flask) -> None:
    from lms.extensions import csrf, db, limiter, login_manager, migrate
    from lms.i18n import _l, init_i18n

    db.init_app(app)
    init_i18n(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    # "strong" would drop a remembered login when the browser's address changes (mobile users).
    login_manager.session_protection = "basic"

    import lms.security  # noqa: F401 - registers the user loader


def _register_blueprints(app: Flask) -> None:
    from lms.admin.chat import bp as chat_bp
    from lms.admin.routes import bp as admin_bp
    from lms.admin.settings import bp as settings_bp
    from lms.admin.tokens import bp as admin_tokens_bp
    from lms.api.impact import bp as api_impact_bp
    from lms.api.openapi import bp as api_openapi_bp
    from lms.api.reports import bp as api_reports_bp
    from lms.api.sales import bp as api_sales_bp
    from lms.api.xapi import bp as api_xapi_bp
    from lms.auth.routes import bp as auth_bp
    from lms.auth.tokens import bp as tokens_bp
    from lms.author.reactions import bp as author_reactions_bp
    from lms.author.routes import bp as author_bp
    from lms.extensions import csrf
    from lms.learn.booster_routes import bp as boosters_bp
    from lms.learn.coaching_routes import bp as my_coaching_bp
    from lms.learn.followup_routes import bp as followups_bp
    from lms.learn.goal_routes import bp as goals_bp
    from lms.learn.quiz_routes import bp as quiz_bp
    from lms.learn.reaction_routes import bp as reactions_bp
    from lms.learn.results_routes import bp as results_bp
    from lms.learn.routes import bp as learn_bp
    from lms.manage.assignments import bp as assignments_bp
    from lms.manage.boosters import bp as boosters_admin_bp
    from lms.manage.coaching import bp as coaching_bp
    from lms.manage.followups import bp as team_followups_bp
    from lms.manage.question_stats import bp as question_stats_bp
    from lms.manage.reports import bp as reports_bp
    from lms.manage.rollouts import bp as rollouts_bp
    from lms.manage.routes import bp as manage_bp
    from lms.manage.sales_reports import bp as sales_reports_bp
    from lms.sales.routes import bp as sales_bp

    pages = (
        (auth_bp, None),
        (tokens_bp, None),
        (learn_bp, "/learn"),
        (quiz_bp, "/learn"),
        (goals_bp, "/learn/goals"),
        (my_coaching_bp, "/learn/coaching"),
        (reactions_bp, "/learn/reactions"),
        (followups_bp, "/learn/follow-ups"),
        (results_bp, "/learn/results"),
        (boosters_bp, "/learn/boosters"),
        (author_bp, "/author"),
        (author_reactions_bp, "/author/reactions"),
        (manage_bp, "/manage"),
        (reports_bp, "/manage/reports"),
        (assignments_bp, "/manage/assignments"),
        (rollouts_bp, "/manage/rollouts"),
        (coaching_bp, "/manage/coaching"),
        (question_stats_bp, "/manage/question-stats"),
        (boosters_admin_bp, "/manage/boosters"),
        (sales_bp, "/manage/sales"),
        (sales_reports_bp, "/manage/sales-reports"),
        (team_followups_bp, "/manage/follow-ups"),
        (admin_bp, "/admin"),
        (settings_bp, "/admin/settings"),
        (admin_tokens_bp, "/admin/tokens"),
        (chat_bp, "/admin/chat"),
    )
    for blueprint, prefix in pages:
        app.register_blueprint(blueprint, url_prefix=prefix)
    if sso_configured(app.config):
        from lms.auth.sso import init_sso

        init_sso(app)  # single sign-on: its client and routes exist only when configured
    # The API authenticates by bearer token, never by cookie: CSRF does not apply to it.
    for blueprint in (api_reports_bp, api_impact_bp, api_sales_bp, api_xapi_bp,
                      api_openapi_bp):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint, url_prefix="/api/v1")

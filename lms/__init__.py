"""Verkoopklaar: the sales-training LMS. ``create_app`` builds the Flask application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from lms.config import PROJECT_ROOT, load_config


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

    _init_extensions(app)
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

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.login_message_category = "info"
    # "strong" would drop a remembered login when the browser's address changes (mobile users).
    login_manager.session_protection = "basic"

    import lms.security  # noqa: F401 - registers the user loader


def _register_blueprints(app: Flask) -> None:
    from lms.admin.routes import bp as admin_bp
    from lms.api.reports import bp as api_reports_bp
    from lms.auth.routes import bp as auth_bp
    from lms.author.routes import bp as author_bp
    from lms.extensions import csrf
    from lms.learn.goal_routes import bp as goals_bp
    from lms.learn.quiz_routes import bp as quiz_bp
    from lms.learn.routes import bp as learn_bp
    from lms.manage.reports import bp as reports_bp
    from lms.manage.routes import bp as manage_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(learn_bp, url_prefix="/learn")
    app.register_blueprint(goals_bp, url_prefix="/learn/goals")
    app.register_blueprint(quiz_bp, url_prefix="/learn")
    app.register_blueprint(author_bp, url_prefix="/author")
    app.register_blueprint(manage_bp, url_prefix="/manage")
    app.register_blueprint(reports_bp, url_prefix="/manage/reports")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    csrf.exempt(api_reports_bp)
    app.register_blueprint(api_reports_bp, url_prefix="/api/v1")

    # Managers' assignments and question statistics, and the admins' settings page.
    from lms.admin.settings import bp as settings_bp
    from lms.manage.assignments import bp as assignments_bp
    from lms.manage.question_stats import bp as question_stats_bp

    app.register_blueprint(assignments_bp, url_prefix="/manage/assignments")
    app.register_blueprint(question_stats_bp, url_prefix="/manage/question-stats")
    app.register_blueprint(settings_bp, url_prefix="/admin/settings")

    # CRM sales data: the managers' upload page and POST /api/v1/sales.
    from lms.api.sales import bp as api_sales_bp
    from lms.sales.routes import bp as sales_bp

    app.register_blueprint(sales_bp, url_prefix="/manage/sales")
    csrf.exempt(api_sales_bp)
    app.register_blueprint(api_sales_bp, url_prefix="/api/v1")

    # Sales measures and the training impact analysis: the managers' pages and
    # GET /api/v1/reports/impact.
    from lms.api.impact import bp as api_impact_bp
    from lms.manage.sales_reports import bp as sales_reports_bp

    app.register_blueprint(sales_reports_bp, url_prefix="/manage/sales-reports")
    csrf.exempt(api_impact_bp)
    app.register_blueprint(api_impact_bp, url_prefix="/api/v1")

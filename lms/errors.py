"""Domain errors and the app-wide HTTP error pages (HTML for browsers, JSON under /api/)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.extensions import db
from lms.i18n import _l


class DomainError(Exception):
    """A rule of the product was broken; ``message`` tells a person what to do about it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not give access to this page. If you think "
                                "it should, ask your manager or an administrator.")),
    404: (_l("Page not found"), _l("There is nothing at this address, or it is not yours to "
                                   "see.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("The file is larger than this site accepts. Split it into "
                                   "smaller files, or ask an administrator to raise the upload "
                                   "limit.")),
    429: (_l("Too many attempts"), _l("Too many requests in a short time. Wait a minute and try "
                                      "again.")),
    503: (_l("Busy, try again"), _l("The database is busy with another change (a large import, "
                                    "for example). Nothing you submitted was saved; try again in "
                                    "a minute.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Nothing you submitted was "
                                         "half saved; try again in a moment.")),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, detail: str | None = None):  # noqa: ANN201 - Flask response
    # Whatever failed mid-request must not be committed by a later flush.
    db.session.rollback()
    if code in MESSAGES:
        title, text = (str(part) for part in MESSAGES[code])
    else:
        title, text = _("Error %(code)s", code=code), _("The request failed.")
    if _wants_json():
        return jsonify(error={"status": code, "title": title, "message": detail or text}), code
    return render_template("errors/error.html", code=code, title=title, text=text,
                           detail=detail), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # noqa: ANN202
        return render_error(
            400, _("The form had expired or did not come from this site. Reload the page and "
                   "submit it again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # noqa: ANN202
        if exc.code is None or exc.code < 400:
            return exc
        detail = exc.description if exc.code in (400, 429) and _wants_json() else None
        return render_error(exc.code, detail)

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):  # noqa: ANN202
        # SQLite allows one writer; past the busy timeout a second one gets "locked". Say so,
        # instead of a bare 500, and let every other operational error be a real 500.
        if "database is locked" not in str(exc.orig):
            raise exc
        app.logger.warning("Database busy on %s %s", request.method, request.path)
        return render_error(503)

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):  # noqa: ANN202
        app.logger.error("Unhandled error on %s %s", request.method, request.path,
                         exc_info=exc.original_exception or exc)
        return render_error(500)

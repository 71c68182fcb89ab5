"""The sales data pages for managers and admins: upload a CRM export, check the preview,
confirm, and the import log with undo.

Sales data is organisation-wide, so every manager imports for the whole organisation. The
uploaded file waits in ``instance/uploads/<sha256>`` between preview and confirm; which file
(and with which preset and options) is kept in the signed session, never taken from the form.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from lms.errors import DomainError
from lms.extensions import db
from lms.forms import ActionForm
from lms.models import Role
from lms.sales.crm_sync import connection_statuses
from lms.sales.forms import CUSTOM, SalesUploadForm
from lms.sales.importer import ImportOptions, import_sales, list_imports, preview, undo_import
from lms.sales.matching import unmatched_owners
from lms.sales.parsing import currency_code
from lms.sales.presets import PRESETS, Preset, get_preset
from lms.security import role_required

bp = Blueprint("sales", __name__)
PENDING = "sales_upload"
#: Uploads nobody confirmed or cancelled are removed after this long.
STALE_SECONDS = 24 * 3600


@bp.before_request
@role_required(Role.MANAGER)
def require_manager() -> None:
    """Managers and admins only; checked once for the whole blueprint."""


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _store(upload: FileStorage, suffix: str = "") -> str:
    """Save an upload under its sha256 (streamed, never whole in memory); returns the hash."""
    folder = _uploads()
    now = time.time()
    for old in folder.iterdir():
        try:
            if now - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()
        except OSError:
            pass  # another request removed it first
    digest = hashlib.sha256()
    fd, partial = tempfile.mkstemp(dir=folder, prefix=".part-")
    with os.fdopen(fd, "wb") as out:
        while chunk := upload.stream.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    name = digest.hexdigest() + suffix
    os.replace(partial, folder / name)
    return name


def _path(name: str | None) -> Path | None:
    """The stored upload ``name`` (as the session holds it), if it is still there."""
    if not name or not re.fullmatch(r"[0-9a-f]{64}(?:\.yaml)?", name):
        return None
    path = _uploads() / name
    return path if path.is_file() else None


def _discard(pending: dict[str, Any] | None) -> None:
    for key in ("file", "preset_file"):
        path = _path((pending or {}).get(key))
        if path is not None:
            path.unlink(missing_ok=True)
    session.pop(PENDING, None)


def _preset(pending: dict[str, Any]) -> Preset:
    if pending["preset"] == CUSTOM:
        path = _path(pending.get("preset_file"))
        if path is None:
            raise DomainError(_("The preset file is no longer there; upload both files again."))
        return get_preset(path)
    return PRESETS[pending["preset"]]


def _options(pending: dict[str, Any]) -> ImportOptions:
    return ImportOptions(**pending["options"])


@bp.route("/")
def index():  # noqa: ANN201
    return render_template("sales/index.html", imports=list_imports(50),
                           owners=unmatched_owners(50), action=ActionForm(),
                           connections=connection_statuses(current_app.config))


@bp.route("/import", methods=["GET", "POST"])
def upload():  # noqa: ANN201
    form = SalesUploadForm()
    if form.validate_on_submit():
        if form.preset.data == CUSTOM and not form.preset_file.data:
            form.preset_file.errors = [_("Choose your preset file, or pick a built-in preset.")]
            return render_template("sales/upload.html", form=form, presets=PRESETS.values())
        _discard(session.get(PENDING))
        pending = {
            "file": _store(form.file.data),
            "name": (form.file.data.filename or "upload.csv")[:255],
            "preset": form.preset.data,
            "preset_file": _store(form.preset_file.data, ".yaml")
            if form.preset.data == CUSTOM else None,
            "options": {
                "dayfirst": {"day": True, "month": False}.get(form.dayfirst.data or ""),
                "decimal": form.decimal.data or None,
                "currency": currency_code(form.currency.data) if form.currency.data else None,
                "satisfaction_scale": int(form.satisfaction_scale.data)
                if form.satisfaction_scale.data else None,
            },
        }
        try:
            preset = _preset(pending)
        except DomainError as exc:
            _discard(pending)
            form.preset_file.errors = [exc.message]
            return render_template("sales/upload.html", form=form, presets=PRESETS.values())
        report = preview(_uploads() / pending["file"], preset, _options(pending),
                         filename=pending["name"], sample_size=20)
        if report.ok:
            session[PENDING] = pending
        else:
            _discard(pending)  # a file with errors is never imported: nothing to keep
        return render_template("sales/preview.html", report=report, preset=preset,
                               action=ActionForm())
    return render_template("sales/upload.html", form=form, presets=PRESETS.values())


@bp.route("/import/confirm", methods=["POST"])
def confirm():  # noqa: ANN201
    if not ActionForm().validate_on_submit():
        abort(400)
    pending = session.get(PENDING)
    path = _path((pending or {}).get("file"))
    if pending is None or path is None:
        flash(_("There is no checked file waiting to be imported (it was imported, cancelled, "
                "or is older than a day). Upload it again."), "error")
        return redirect(url_for("sales.upload"))
    try:
        preset = _preset(pending)
        # Checked again while importing: the file is read anew and nothing is written unless
        # every row is good.
        report = import_sales(path, preset, _options(pending), actor=current_user,
                              filename=pending["name"])
    except DomainError as exc:
        db.session.rollback()
        flash(_("Nothing was imported: %(problem)s", problem=exc.message), "error")
        return redirect(url_for("sales.upload"))
    if not report.ok:
        db.session.rollback()
        _discard(pending)
        return render_template("sales/preview.html", report=report, preset=preset,
                               action=ActionForm())
    db.session.commit()
    _discard(pending)
    return render_template("sales/done.html", report=report)


@bp.route("/import/cancel", methods=["POST"])
def cancel():  # noqa: ANN201
    if not ActionForm().validate_on_submit():
        abort(400)
    _discard(session.get(PENDING))
    flash(_("The checked file was discarded; nothing was imported."), "info")
    return redirect(url_for("sales.upload"))


@bp.route("/imports/<int:import_id>/undo", methods=["POST"])
def undo(import_id: int):  # noqa: ANN201
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = undo_import(import_id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("sales.index"))
    db.session.commit()
    flash(" ".join((
        ngettext("Import #%(id)d undone: %(num)d deal removed.",
                 "Import #%(id)d undone: %(num)d deals removed.", result.deleted, id=import_id),
        ngettext("%(num)d deal restored to its previous values.",
                 "%(num)d deals restored to their previous values.", result.restored))),
          "success")
    return redirect(url_for("sales.index"))

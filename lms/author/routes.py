"""The trainer's content tools: the list of content with its validation status, previews,
the editor with live preview, new modules, and each item's version history with diffs."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.author.forms import EditForm, NewModuleForm
from lms.author.preview import preview_context
from lms.content.checkcmd import ContentDirs
from lms.content.editing import (
    ContentInvalid,
    EditConflict,
    check_text,
    create_module,
    diff_lines,
    file_path,
    read_current,
    save_text,
)
from lms.content.parsing import content_hash
from lms.content.store import Change, get_item
from lms.content.translations import split_files
from lms.content.tree_status import tree_status
from lms.errors import DomainError
from lms.extensions import db
from lms.i18n import language_name
from lms.inputs import id_arg
from lms.models import ContentItem, ContentKind, ContentTranslation, ContentVersion, Role
from lms.security import role_required

bp = Blueprint("author", __name__)

KINDS = {"modules": ContentKind.MODULE, "quizzes": ContentKind.QUIZ, "paths": ContentKind.PATH}
KIND_SEGMENT = {kind: segment for segment, kind in KINDS.items()}


@bp.before_request
@role_required(Role.TRAINER)
def require_trainer() -> None:
    """Every content page needs the trainer role (or admin)."""


def _dirs() -> ContentDirs:
    content = Path(current_app.config["CONTENT_DIR"])
    return ContentDirs(content / "modules", Path(current_app.config["QUIZ_DIR"]),
                       content / "paths")


def _categories() -> tuple[str, ...]:
    return tuple(current_app.config["CONTENT_CATEGORIES"])


def _kind(segment: str) -> ContentKind:
    if segment not in KINDS:
        abort(404)
    return KINDS[segment]


@bp.app_template_global()
def content_url(endpoint: str, kind: ContentKind | str, slug: str, **values: object) -> str:
    return url_for(endpoint, kind=KIND_SEGMENT[ContentKind(kind)], slug=slug, **values)


@bp.route("/")
def index():  # noqa: ANN201
    dirs = _dirs()
    tree = tree_status(dirs.modules, dirs.quizzes, dirs.paths, _categories())
    problems, found = tree.problems, tree.found
    by_path: dict[str, list] = {}
    for problem in problems:
        by_path.setdefault(problem.path, []).append(problem)
    on_disk = {ContentKind.MODULE: found.modules, ContentKind.QUIZ: found.quizzes,
               ContentKind.PATH: found.paths}
    counts = dict(db.session.execute(
        select(ContentVersion.item_id, func.count())
        .where(ContentVersion.translated.is_(False)).group_by(ContentVersion.item_id)).all())
    # The current translations, by item and language, to tell a translation file's state.
    stored = {(row.item_id, row.language): row.version.content_hash
              for row in db.session.scalars(select(ContentTranslation)
                                            .options(selectinload(ContentTranslation.version)))}
    items = {(i.kind, i.slug): i for i in db.session.scalars(
        select(ContentItem).options(selectinload(ContentItem.current_version)))}

    sections = []
    for kind in ContentKind:
        rows = []
        originals, translation_files = split_files(on_disk[kind])
        files = {p.stem: p for p in originals}
        translations: dict[str, list[tuple[str, Path]]] = {}
        for path, slug, language in translation_files:
            translations.setdefault(slug, []).append((language, path))
        for slug in sorted(set(files) | {s for k, s in items if k == kind.value}):
            item = items.get((kind.value, slug))
            path = files.get(slug)
            file_problems = by_path.get(str(path), []) if path else []
            disk_hash = tree.hashes.get(str(path)) if path else None
            current = item.current_version if item else None
            rows.append({
                "slug": slug,
                "title": current.title if current else slug,
                "item": item,
                "versions": counts.get(item.id, 0) if item else 0,
                "errors": [p for p in file_problems if p.is_error],
                "warnings": [p for p in file_problems if not p.is_error],
                "on_disk": path is not None,
                "out_of_sync": bool(path and (current is None
                                              or current.content_hash != disk_hash)),
                "translations": [_translation_state(language, translated, item, stored, by_path,
                                                    tree.hashes)
                                 for language, translated in sorted(translations.get(slug, []))],
            })
        sections.append((kind, rows))
    general = [p for p in problems if not any(p.path == str(f) for fs in on_disk.values()
                                              for f in fs)]
    return render_template("author/index.html", sections=sections, general=general,
                           folders=dirs)


def _translation_state(language: str, path: Path, item: ContentItem | None,
                       stored: dict[tuple[int, str], str], by_path: dict, hashes: dict) -> dict:
    """A translation file beside its original in the content list: its language, problems and
    whether the database serves what the file says."""
    problems = by_path.get(str(path), [])
    served = stored.get((item.id, language)) if item is not None else None
    return {"language": language, "file": path.name,
            "errors": [p for p in problems if p.is_error],
            "out_of_sync": served is None or served != hashes.get(str(path))}


@bp.route("/<kind>/<slug:slug>")
def view(kind: str, slug: str):  # noqa: ANN201
    content_kind = _kind(kind)
    item = get_item(content_kind, slug)
    if item is None or item.current_version is None:
        if read_current(content_kind, slug, _dirs()) is None:
            abort(404)
        flash(_("This file is not in the database yet: run `lms content sync` or save it here."),
              "info")
        return redirect(content_url("author.edit", content_kind, slug))
    version = item.current_version
    return render_template("author/view.html", item=item, version=version,
                           **preview_context(content_kind, slug, version.source))


@bp.route("/<kind>/<slug:slug>/edit", methods=["GET", "POST"])
def edit(kind: str, slug: str):  # noqa: ANN201
    content_kind = _kind(kind)
    dirs = _dirs()
    try:
        current = read_current(content_kind, slug, dirs)
    except DomainError:
        abort(404)
    if current is None:
        abort(404)
    form = EditForm()
    conflict = None
    if request.method == "GET":
        form.text.data = current
        form.base_hash.data = content_hash(current)
    elif form.validate_on_submit():
        text = form.text.data or ""
        if request.form.get("action") == "save":
            try:
                saved = save_text(content_kind, slug, text, base_hash=form.base_hash.data,
                                  dirs=dirs, categories=_categories(), actor=current_user)
                version, change = saved.version, saved.change
            except EditConflict as exc:
                db.session.rollback()
                conflict = {"text": exc.current_text, "message": exc.message,
                            "diff": diff_lines(exc.current_text, text)}
                # Saving again after reading the difference overwrites their version on purpose.
                form.base_hash.data = content_hash(exc.current_text)
            except ContentInvalid as exc:
                db.session.rollback()
                flash(exc.message, "error")
            else:
                db.session.commit()
                if change is Change.UNCHANGED:
                    message = _("No changes: this is still version %(number)d.",
                                number=version.number)
                elif change is Change.REVERTED:
                    message = _("Saved: the text is the same as version %(number)d, which is "
                                "current again.", number=version.number)
                else:
                    message = _("Saved as version %(number)d.", number=version.number)
                flash(message, "success")
                if saved.withdrawn:
                    flash(_("The translation into %(languages)s no longer matches this text and "
                            "is withdrawn: learners get this original until the translation file "
                            "is updated and synced.", languages=", ".join(
                                language_name(code) for code in saved.withdrawn)), "warning")
                if not saved.file_written:
                    flash(_("Stored in the database; this server's content folder cannot be "
                            "written, so get the file with `lms content export DIR`."), "info")
                return redirect(content_url("author.edit", content_kind, slug))
    text = form.text.data or ""
    problems = check_text(content_kind, slug, text, dirs, _categories())
    return render_template(
        "author/edit.html", form=form, kind=content_kind, slug=slug, problems=problems,
        conflict=conflict, path=file_path(content_kind, slug, dirs),
        item=get_item(content_kind, slug), **preview_context(content_kind, slug, text),
    )


@bp.route("/<kind>/<slug:slug>/preview", methods=["POST"])
def live_preview(kind: str, slug: str):  # noqa: ANN201
    """The preview pane and the problems for an unsaved text (fetched by static/js/editor.js)."""
    content_kind = _kind(kind)
    form = EditForm()
    if not form.validate_on_submit():
        abort(400)
    text = form.text.data or ""
    problems = check_text(content_kind, slug, text, _dirs(), _categories())
    return render_template("author/_preview_pane.html", kind=content_kind, slug=slug,
                           problems=problems, **preview_context(content_kind, slug, text))


@bp.route("/modules/new", methods=["GET", "POST"])
def new_module():  # noqa: ANN201
    form = NewModuleForm()
    form.set_categories(_categories())
    if form.validate_on_submit():
        try:
            create_module(form.slug.data, form.title.data, form.category.data,
                          form.summary.data, dirs=_dirs(), categories=_categories(),
                          actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = [*field.errors, exc.message]
            else:
                flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Module created from the template. Write it here; it is saved as a new "
                    "version each time."), "success")
            return redirect(url_for("author.edit", kind="modules", slug=form.slug.data))
    return render_template("author/new_module.html", form=form)


@bp.route("/<kind>/<slug:slug>/history")
def history(kind: str, slug: str):  # noqa: ANN201
    content_kind = _kind(kind)
    item = get_item(content_kind, slug)
    if item is None:
        abort(404)
    versions = list(reversed(item.versions))
    return render_template("author/history.html", item=item, versions=versions)


def _version(item: ContentItem, number: int) -> ContentVersion:
    version = db.session.scalar(select(ContentVersion).where(
        ContentVersion.item_id == item.id, ContentVersion.number == number))
    if version is None:
        abort(404)
    return version


@bp.route("/<kind>/<slug:slug>/diff")
def diff(kind: str, slug: str):  # noqa: ANN201
    item = get_item(_kind(kind), slug)
    if item is None:
        abort(404)
    old_number, new_number = id_arg("from"), id_arg("to")
    if old_number is None or new_number is None:
        flash(_("Choose two versions to compare."), "error")
        return redirect(content_url("author.history", item.kind, slug))
    old, new = _version(item, old_number), _version(item, new_number)
    return render_template("author/diff.html", item=item, old=old, new=new,
                           rows=diff_lines(old.source, new.source))


@bp.route("/<kind>/<slug:slug>/versions/<int:number>")
def version_source(kind: str, slug: str, number: int):  # noqa: ANN201
    item = get_item(_kind(kind), slug)
    if item is None:
        abort(404)
    return render_template("author/version.html", item=item, version=_version(item, number))

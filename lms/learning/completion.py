"""Reading and completion: a module is complete when it has been read and, if it ends with a
quiz, the quiz is passed under its grading method; a path is complete when all its required
modules are. The completion time is the "training date" the impact analysis uses.

A path's certificate may expire (``certificate_validity_days``). From then on the path is not
complete, and it is renewed by taking it again: every required module's quiz passed again in
attempts started since the expiry (a module without a quiz: opened again since then). Module
completions themselves stay: they record when the person first learnt it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from lms.content.documents import ModuleDoc, PathDoc
from lms.extensions import db
from lms.learning.catalog import current_doc, live_item, live_items, shown_title
from lms.learning.standing import (
    expired_certificates,
    renewed_modules,
    required_modules,
    standing,
)
from lms.models import (
    ContentItem,
    ContentKind,
    ModuleProgress,
    PathCompletion,
    User,
    utcnow,
)


def progress_of(user_id: int, module: ContentItem) -> ModuleProgress | None:
    return db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.user_id == user_id, ModuleProgress.module_id == module.id))


def progress_map(user_id: int) -> dict[int, ModuleProgress]:
    """The person's progress rows by module id (one query for a whole page)."""
    rows = db.session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user_id))
    return {row.module_id: row for row in rows}


def record_opened(user: User, module: ContentItem, *, now: datetime | None = None,
                  progress: dict[int, ModuleProgress] | None = None) -> ModuleProgress:
    """The person opened the module: their progress row, made or stamped. ``progress``: their
    ``progress_map`` when the caller has it (the row is then not read again)."""
    now = now or utcnow()
    row = progress.get(module.id) if progress is not None else progress_of(user.id, module)
    if row is None:
        row = ModuleProgress(user_id=user.id, module_id=module.id, first_opened_at=now,
                             last_opened_at=now)
        db.session.add(row)
    else:
        row.last_opened_at = now
    db.session.flush()
    renew_certificates(user.id, now=now)
    return row


def mark_read(user: User, module: ContentItem, *, now: datetime | None = None) -> ModuleProgress:
    now = now or utcnow()
    progress = record_opened(user, module, now=now)
    if progress.read_at is None:
        progress.read_at = now
        progress.read_version_id = module.current_version_id
    update_module_completion(user.id, module, now=now)
    return progress


@dataclass(frozen=True)
class Lock:
    locked: bool
    missing: list[tuple[str, str]]  # (slug, title) of prerequisites not yet complete


def lock_of(user_id: int, doc: ModuleDoc, progress: dict[int, ModuleProgress],
            modules: dict[str, ContentItem]) -> Lock:
    missing = []
    for slug in doc.prerequisites:
        item = modules.get(slug)
        if item is None:  # a retired prerequisite no longer blocks anyone
            continue
        row = progress.get(item.id)
        if row is None or row.completed_at is None:
            missing.append((slug, shown_title(item)))
    return Lock(bool(missing), missing)


def update_module_completion(user_id: int, module: ContentItem, *,
                             now: datetime | None = None) -> bool:
    """Record completion when its conditions hold now; then the paths it belongs to."""
    now = now or utcnow()
    progress = progress_of(user_id, module)
    if progress is None or progress.read_at is None:
        return False
    if progress.completed_at is not None:
        return True
    doc = current_doc(module)
    if not isinstance(doc, ModuleDoc):
        return False
    if doc.quiz:
        quiz = live_item(ContentKind.QUIZ, doc.quiz)
        if quiz is not None:
            user = db.session.get(User, user_id)
            if not standing(user, quiz, now=now).passed:
                return False
    progress.completed_at = now
    db.session.flush()
    update_path_completions(user_id, now=now)
    return True


def update_completion_for_quiz(user_id: int, quiz: ContentItem, *,
                               now: datetime | None = None) -> None:
    """After a graded attempt: complete every module that ends with this quiz, if it can, and
    renew the expired certificates it was the last step of."""
    for module in live_items(ContentKind.MODULE).values():
        doc = current_doc(module)
        if isinstance(doc, ModuleDoc) and doc.quiz == quiz.slug:
            update_module_completion(user_id, module, now=now)
    renew_certificates(user_id, now=now)
    # A passed quiz of a module with boosters on: its questions come back (lms/boosters/).
    from lms.boosters.cards import cards_for_pass

    cards_for_pass(user_id, quiz, now=now)


def renew_certificates(user_id: int, *, now: datetime | None = None) -> None:
    """Renew each expired certificate whose path has been taken again (one query when none
    has expired, as for nearly everyone)."""
    now = now or utcnow()
    expired = expired_certificates(user_id, now)
    if not expired:
        return
    user = db.session.get(User, user_id)
    modules, progress = live_items(ContentKind.MODULE), progress_map(user_id)
    for completion in expired:
        required = required_modules(completion.path_id, modules)
        renewed = renewed_modules(user, required, completion.expires_at, progress, now=now)
        if required and all(item.id in renewed for item, _ in required):
            path = db.session.get(ContentItem, completion.path_id)
            validity = current_doc(path).certificate_validity_days
            completion.completed_at = now
            completion.expires_at = now + timedelta(days=validity) if validity else None
            completion.path_version_id = path.current_version_id
    db.session.flush()


def update_path_completions(user_id: int, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    modules = live_items(ContentKind.MODULE)
    progress = progress_map(user_id)
    for path in live_items(ContentKind.PATH).values():
        doc = current_doc(path)
        if not isinstance(doc, PathDoc):
            continue
        required = [modules.get(e.module) for e in doc.modules if e.required]
        if not all(m is not None and progress.get(m.id) is not None
                   and progress[m.id].completed_at is not None for m in required):
            continue
        existing = db.session.scalar(select(PathCompletion).where(
            PathCompletion.user_id == user_id, PathCompletion.path_id == path.id))
        expires = (now + timedelta(days=doc.certificate_validity_days)
                   if doc.certificate_validity_days else None)
        if existing is None:
            db.session.add(PathCompletion(user_id=user_id, path_id=path.id,
                                          path_version_id=path.current_version_id,
                                          completed_at=now, expires_at=expires))
        # An expired certificate is renewed by taking the path again: renew_certificates.
    db.session.flush()


@dataclass(frozen=True)
class PathProgress:
    path: ContentItem
    doc: PathDoc
    steps: list[dict]  # module item, doc, required, complete, read, locked
    required_total: int
    required_done: int
    completion: PathCompletion | None
    #: The certificate has expired: the steps count as done once taken again (renewed).
    expired: bool = False

    @property
    def certified(self) -> bool:
        """Complete, with a certificate that has not expired."""
        return self.completion is not None and not self.expired

    @property
    def percent(self) -> int:
        return round(100 * self.required_done / self.required_total) if self.required_total \
            else 100

    @property
    def next_step(self) -> dict | None:
        return next((s for s in self.steps if not s["complete"] and not s["lock"].locked
                     and s["required"]), None) or next(
            (s for s in self.steps if not s["complete"] and not s["lock"].locked), None)


def path_completions(user_id: int) -> dict[int, PathCompletion]:
    """The person's path certificates, by path id (one query)."""
    return {c.path_id: c for c in db.session.scalars(
        select(PathCompletion).where(PathCompletion.user_id == user_id))}


def path_progress(user_id: int, path: ContentItem, *, modules: dict[str, ContentItem] | None = None,
                  progress: dict[int, ModuleProgress] | None = None,
                  completions: dict[int, PathCompletion] | None = None,
                  now: datetime | None = None) -> PathProgress | None:
    """``completions``: the person's path certificates by path id, when the caller shows
    several paths (one query for all of them, not one per path)."""
    doc = current_doc(path)
    if not isinstance(doc, PathDoc):
        return None
    modules = modules if modules is not None else live_items(ContentKind.MODULE)
    progress = progress if progress is not None else progress_map(user_id)
    steps = []
    for entry in doc.modules:
        item = modules.get(entry.module)
        if item is None:
            continue
        module_doc = current_doc(item)
        if not isinstance(module_doc, ModuleDoc):
            continue
        row = progress.get(item.id)
        steps.append({"item": item, "doc": module_doc, "required": entry.required,
                      "complete": bool(row and row.completed_at),
                      "read": bool(row and row.read_at), "opened": row is not None,
                      "lock": lock_of(user_id, module_doc, progress, modules)})
    completion = (completions.get(path.id) if completions is not None else
                  db.session.scalar(select(PathCompletion).where(
                      PathCompletion.user_id == user_id, PathCompletion.path_id == path.id)))
    now = now or utcnow()
    expired = bool(completion and completion.expires_at and completion.expires_at <= now)
    if expired:
        user = db.session.get(User, user_id)
        renewed = renewed_modules(user, [(s["item"], s["doc"]) for s in steps if s["required"]],
                                  completion.expires_at, progress, now=now)
        for step in steps:
            if step["required"]:
                step["renew"] = step["item"].id not in renewed
                step["complete"] = not step["renew"]
    required = [s for s in steps if s["required"]]
    return PathProgress(path, doc, steps, len(required), sum(s["complete"] for s in required),
                        completion, expired)

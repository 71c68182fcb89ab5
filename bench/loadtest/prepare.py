"""The learners of a load run, made through the product's services in the current app context:
the content synced from the repository's files, a team of salespeople and the onboarding path
assigned to that team."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from werkzeug.security import generate_password_hash

from lms.clock import local_today
from lms.content.commands import content_dirs
from lms.content.store import sync_content
from lms.extensions import db
from lms.learning.assignments import assign_to_team
from lms.learning.catalog import live_item
from lms.models import ContentKind, Role
from lms.people.services import PersonFields, TeamFields, create_team, create_user

from .accounts import PASSWORD, learner_email

PATH = "new-hire-onboarding"


def prepare(learners: int, *, hash_method: str) -> None:
    """Sync content and create ``learners`` salespeople with the onboarding path; commits."""
    report = sync_content(*content_dirs(), tuple(current_app.config["CONTENT_CATEGORIES"]))
    if report.skipped:
        raise RuntimeError(f"content has errors: {report.skipped}")
    team = create_team(TeamFields(name="Load test"))
    # One hash made with the server's method, shared by every account: logins cost what they
    # cost in production, while set-up does not pay for hundreds of scrypt hashes.
    password_hash = generate_password_hash(PASSWORD, method=hash_method)
    today = local_today()
    for number in range(learners):
        user, _ = create_user(PersonFields(email=learner_email(number),
                                           name=f"Learner {number:03d}", role=Role.LEARNER,
                                           team=team, hire_date=today), password=PASSWORD)
        user.password_hash = password_hash
    path = live_item(ContentKind.PATH, PATH)
    if path is None:
        raise RuntimeError(f"the learning path {PATH!r} is not in the content")
    assign_to_team(team, path, due_date=today + timedelta(days=30))
    db.session.commit()

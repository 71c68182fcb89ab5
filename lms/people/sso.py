"""Who a single sign-on is: the person an identity provider's verified ID token names.

The view (lms/auth/sso.py) has checked the token's signature and claims; this module decides
which account it opens, by the rules in docs/operations.md ("Single sign-on"):

1. the account that stored this subject (``sub``) at an earlier sign-in;
2. else the account with the token's email, but only when the provider says it verified that
   address (``email_verified``), only if that account is not linked to another subject, and
   never an admin's (a mailbox at the provider must not be a way into the site's admin); the
   subject is stored then, so a later change of email does not lose the person;
3. else, with ``LMS_OIDC_CREATE_USERS``, a new salesperson account, in the team the
   ``LMS_OIDC_TEAM_CLAIM`` claim names (an active team of that name; none: no team);
4. else nobody: refused.

Services flush and return; the view commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.config import sso_configured
from lms.errors import DomainError
from lms.extensions import db
from lms.models import Role, Team, User
from lms.people.passwords import hash_password
from lms.people.services import PersonFields, create_user, find_user_by_email, normalise_email

NAME_MAX = 120
#: OIDC Core 2: a subject is at most 255 ASCII characters (and ``users.oidc_subject`` holds 255).
SUBJECT_MAX = 255


class SignInRefused(DomainError):
    """The provider vouched for someone this site will not let in; the message says why."""


@dataclass(frozen=True)
class Identity:
    """What a verified ID token says about a person."""

    subject: str
    email: str | None
    email_verified: bool
    name: str
    #: The values of the team claim, in the order given (a claim may be one name or a list).
    team_names: tuple[str, ...] = ()

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], team_claim: str | None = None) -> Identity:
        email = claims.get("email")
        # Some providers (Cognito) send the flag as the string "true".
        verified = claims.get("email_verified") in (True, "true")
        parts = [claims.get(key) for key in ("name", "given_name", "family_name")]
        parts = [part if isinstance(part, str) else "" for part in parts]
        name = parts[0].strip() or " ".join(part for part in parts[1:] if part)
        teams = claims.get(team_claim) if team_claim else None
        if isinstance(teams, str):
            teams = [teams]
        return cls(
            subject=str(claims["sub"]),
            email=email.strip() if isinstance(email, str) and email.strip() else None,
            email_verified=verified,
            name=" ".join(name.split())[:NAME_MAX],
            team_names=tuple(t for t in teams or () if isinstance(t, str) and t.strip()),
        )


@dataclass(frozen=True)
class SignIn:
    user: User
    created: bool


def sign_in(identity: Identity, *, create: bool, provider: str) -> SignIn:
    """The account ``identity`` opens (linking or creating it), or ``SignInRefused``.

    ``provider`` is the organisation's name as the login button shows it, for the messages.
    """
    if not identity.subject or len(identity.subject) > SUBJECT_MAX:
        raise SignInRefused(_(
            "%(provider)s sent an identity this site cannot store. Tell an administrator.",
            provider=provider))
    user = db.session.scalar(select(User).where(User.oidc_subject == identity.subject))
    created = False
    if user is None:
        email = _verified_email(identity, provider)
        user = find_user_by_email(email)
        if user is None:
            if not create:
                raise SignInRefused(_(
                    "There is no account for %(email)s here. Ask your manager or an "
                    "administrator to add you, then log in with %(provider)s again.",
                    email=email, provider=provider))
            user = _create_person(identity, email)
            if user is None:
                # Another sign-in of the same person made the account a moment ago (two tabs,
                # a double click): use the rules again, which now find it.
                return sign_in(identity, create=False, provider=provider)
            created = True
        else:
            _check_linkable(user, identity, email, provider)
    if not user.active:
        raise SignInRefused(_("This account has been deactivated. Ask your manager or an "
                              "administrator."))
    if user.must_change_password:
        # The provider has just vouched for the person, so they need no password to continue;
        # the temporary one an admin saw stops working (they may ask for a new one).
        user.password_hash = hash_password(secrets.token_urlsafe(32))
        user.must_change_password = False
    db.session.flush()
    return SignIn(user=user, created=created)


def _check_linkable(user: User, identity: Identity, email: str, provider: str) -> None:
    """Link ``user``, found by ``email``, to ``identity``'s subject, or refuse."""
    if user.has_role(Role.ADMIN):
        # A mailbox at the provider (its admins, a recycled address) must not be a way into
        # this site's admin: an admin logs in with their password.
        raise SignInRefused(_(
            "The account for %(email)s is an administrator's: administrators log in with "
            "their password, not with %(provider)s.", email=email, provider=provider))
    if not user.active:
        return  # refused by the caller, and not linked
    # Only while unlinked, in one statement: of two identities with this address signing in at
    # once, one gets the account.
    linked = db.session.execute(
        update(User).where(User.id == user.id, User.oidc_subject.is_(None))
        .values(oidc_subject=identity.subject).execution_options(synchronize_session=False))
    if linked.rowcount != 1:
        # The address moved to another identity at the provider (a recycled mailbox, a
        # second account): taking over the person's history on that ground is not safe.
        raise SignInRefused(_(
            "The account for %(email)s is linked to another %(provider)s identity. Ask an "
            "administrator to check it.", email=email, provider=provider))
    db.session.refresh(user, ["oidc_subject"])


def _verified_email(identity: Identity, provider: str) -> str:
    if identity.email is None:
        raise SignInRefused(_(
            "%(provider)s did not tell us your email address, so we cannot find your account. "
            "Ask an administrator.", provider=provider))
    if not identity.email_verified:
        raise SignInRefused(_(
            "%(provider)s has not confirmed your email address %(email)s, so we cannot match "
            "it with an account. Confirm it at %(provider)s, or ask an administrator.",
            provider=provider, email=identity.email))
    try:
        return normalise_email(identity.email)
    except DomainError as exc:
        raise SignInRefused(exc.message) from None


def _create_person(identity: Identity, email: str) -> User | None:
    """The new account, or None when another sign-in made it (or took its address) first."""
    fields = PersonFields(email=email, name=identity.name or email.split("@")[0],
                          role=Role.LEARNER, team=team_named(identity.team_names))
    try:
        # A savepoint: on PostgreSQL a failed insert spoils the whole transaction otherwise.
        with db.session.begin_nested():
            # A random password nobody knows: the person logs in through the provider. Not
            # None, which would make a temporary password and ask them to change it.
            user, _temp = create_user(fields, password=secrets.token_urlsafe(32))
            user.oidc_subject = identity.subject
            db.session.flush()
    except IntegrityError:
        return None
    except DomainError as exc:
        if exc.field == "email":  # the address found an account after all: made meanwhile
            return None
        raise SignInRefused(exc.message) from None
    return user


def team_named(names: tuple[str, ...]) -> Team | None:
    """The first of ``names`` that is an active team's name (any case), in one query."""
    if not names:
        return None
    wanted = [" ".join(n.split()).lower() for n in names]
    teams = db.session.scalars(
        select(Team).where(func.lower(Team.name).in_(wanted), Team.active.is_(True))).all()
    by_name = {team.name.lower(): team for team in teams}
    return next((by_name[n] for n in wanted if n in by_name), None)


def password_login_for_admins_only() -> bool:
    """``LMS_PASSWORD_LOGIN=admins`` counts only with SSO on: else nobody else could log in."""
    return (current_app.config["PASSWORD_LOGIN"] == "admins"
            and sso_configured(current_app.config))


def logs_in_through_sso_only(user: User) -> bool:
    """Whether ``user`` has no use for a password: single sign-on is their only way in."""
    return password_login_for_admins_only() and not user.has_role(Role.ADMIN)

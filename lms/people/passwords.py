"""Password rules, hashing and temporary passwords."""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from lms.errors import DomainError

MIN_LENGTH = 10
# Passwords people pick first; a longer list would belong in a file, these cover the obvious.
_TOO_COMMON = {
    "password", "password1", "password123", "wachtwoord", "welkom", "welkom123", "welcome",
    "welcome123", "qwertyuiop", "1234567890", "12345678910", "letmein123", "iloveyou",
    "verkoopklaar", "changeme", "changeme123",
}
# No look-alike characters (0/O, 1/l/I): the password is read off a screen and typed.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def check_password_rules(password: str, *, email: str = "", name: str = "") -> None:
    """Raise ``DomainError`` if ``password`` is too weak to accept."""
    if len(password) < MIN_LENGTH:
        raise DomainError(_("Use at least %(num)d characters.", num=MIN_LENGTH),
                          field="new_password")
    lowered = password.casefold()
    if lowered in _TOO_COMMON or len(set(lowered)) < 4:
        raise DomainError(_("This password is too easy to guess; choose another."),
                          field="new_password")
    local_part = email.split("@")[0].casefold()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and name.casefold().replace(" ", "") == lowered
    ):
        raise DomainError(_("Do not use your name or email address as your password."),
                          field="new_password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def temporary_password() -> str:
    groups = ["".join(secrets.choice(_TEMP_ALPHABET) for _ in range(4)) for _ in range(3)]
    return "-".join(groups)


# A hash that no password matches: verifying against it for unknown emails makes a failed login
# take as long as a real one, so response times do not reveal which emails have accounts.
def dummy_hash() -> str:
    cache = current_app.extensions.setdefault("lms_dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return cache[method]

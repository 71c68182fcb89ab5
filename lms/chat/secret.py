"""A webhook's address: checked, encrypted for the database, and masked for pages.

The address is the webhook's only credential (whoever has it can post to the channel), so it is
stored encrypted with a key derived from LMS_SECRET_KEY, and pages show only its host and last
characters. Changing LMS_SECRET_KEY makes the stored addresses unreadable: they must be entered
again (the Team chat page and the run's report say so).
"""

from __future__ import annotations

import base64
import ipaddress
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _

from lms.errors import DomainError

MAX_LENGTH = 2000
#: Characters of the address's end that pages show, so an admin can tell two webhooks apart.
HINT_TAIL = 4


class UnreadableUrl(Exception):
    """The stored address was encrypted under another LMS_SECRET_KEY."""


def _fernet() -> Fernet:
    # A key of its own, derived from the site's secret: the secret itself never meets the data.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"verkoopklaar team chat webhook address").derive(
        str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(url: str) -> str:
    return _fernet().encrypt(url.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableUrl from None


def hint(url: str) -> str:
    """"https://hooks.slack.com/…x7Qz": enough to recognise, not enough to post."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}/…{url[-HINT_TAIL:]}"


def check_url(raw: str, *, allow_local_http: bool) -> str:
    """The address, stripped, if a webhook may be posted to it; DomainError (field ``url``)
    saying what is wrong otherwise."""
    url = raw.strip()
    if not url:
        raise DomainError(_("Paste the webhook's address."), field="url")
    if len(url) > MAX_LENGTH or any(c.isspace() for c in url):
        raise DomainError(_("That is not a webhook address: it is too long or has spaces in "
                            "it."), field="url")
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise DomainError(_("That is not a web address."), field="url") from None
    del port  # read only to check it is a number
    if parts.scheme not in ("https", "http") or not host:
        raise DomainError(_("A webhook address starts with https:// and names a server."),
                          field="url")
    if parts.username is not None or parts.password is not None:
        raise DomainError(_("A webhook address has no user name or password in it."),
                          field="url")
    if parts.scheme == "http":
        if not (allow_local_http and host == "127.0.0.1"):
            raise DomainError(_("Only https:// addresses are accepted: the address is the "
                                "key to the channel and must not travel unencrypted."),
                              field="url")
    elif _is_ip(host):
        raise DomainError(_("Give the webhook's address with its server's name, as Teams or "
                            "Slack shows it, not an IP address."), field="url")
    return url


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True

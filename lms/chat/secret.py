"""A webhook's address: checked, encrypted for the database, and masked for pages.

The address is the webhook's only credential (whoever has it can post to the channel), so it is
stored encrypted with a key derived from LMS_SECRET_KEY, and pages show only its host and last
characters. Changing LMS_SECRET_KEY makes the stored addresses unreadable: they must be entered
again (the Team chat page and the run's report say so).

Only the services' own hosts are posted to (``ALLOWED_HOSTS``, plus LMS_CHAT_EXTRA_HOSTS): the
run posts from inside the organisation's network and shows what came back on the settings page,
so an address naming an internal server (a host name resolving to 10.x, 127.x or the cloud's
169.254.169.254, or an IP written as a number) would turn the webhook into a probe.
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
#: team_webhooks.url_hint's length.
HINT_LENGTH = 120
#: Where each service's webhooks live: a name, or a suffix starting with a dot. Teams
#: Workflows addresses are on prod-NN.<region>.logic.azure.com or
#: <environment>.environment.api.powerplatform.com; Slack's on hooks.slack.com (GovSlack:
#: hooks.slack-gov.com).
ALLOWED_HOSTS = {
    "teams": (".logic.azure.com", ".powerplatform.com"),
    "slack": ("hooks.slack.com", "hooks.slack-gov.com"),
}


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
    tail = f"/…{url[-HINT_TAIL:]}"
    head = f"{parts.scheme}://{host}"
    if len(head) + len(tail) > HINT_LENGTH:  # a very long host name (the column is 120 long)
        head = head[:HINT_LENGTH - len(tail) - 1] + "…"
    return head + tail


def host_allowed(host: str, kind: str, extra_hosts: tuple[str, ...] = ()) -> bool:
    """``host`` is one of the service's (or an extra one the operator named)."""
    host = host.lower().rstrip(".")
    for allowed in (*ALLOWED_HOSTS.get(kind, ()), *extra_hosts):
        allowed = allowed.lower()
        if host == allowed or (allowed.startswith(".") and host.endswith(allowed)
                               and len(host) > len(allowed)):
            return True
    return False


def check_url(raw: str, kind: str, *, allow_local_http: bool,
              extra_hosts: tuple[str, ...] = ()) -> str:
    """The address, stripped, if a webhook of ``kind`` may be posted to it; DomainError (field
    ``url``) saying what is wrong otherwise."""
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
        return url
    if _is_ip(host):
        raise DomainError(_("Give the webhook's address with its server's name, as Teams or "
                            "Slack shows it, not an IP address."), field="url")
    if port not in (None, 443) or not host_allowed(host, kind, extra_hosts):
        if kind == "slack":
            raise DomainError(_("That is not a Slack webhook: its address starts with "
                                "https://hooks.slack.com/."), field="url")
        raise DomainError(_("That is not a Microsoft Teams Workflows webhook: its address is "
                            "on logic.azure.com or powerplatform.com."), field="url")
    return url


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True

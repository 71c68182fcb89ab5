"""A stand-in OpenID Connect provider on 127.0.0.1 for the single sign-on tests: discovery,
the authorisation code flow with PKCE, signed RS256 ID tokens and its JWKS, with misbehaviour
on order.

``sign_in_as(...)`` names the person the provider vouches for. ``GET /authorize`` checks the
request (client id, ``response_type=code``, the ``openid`` scope, an S256 code challenge, a
state) and approves at once, redirecting back with a code and the state; with
``interactive=True`` it first shows a page with an "Approve" button, as a real provider asks a
person. ``POST /token`` checks the client's secret (basic auth or form), the code (once only,
for this client and redirect URI) and the PKCE ``code_verifier`` against the challenge, then
answers with an access token and an ID token signed by the key published at ``/jwks``.

``fail_next(...)`` queues misbehaviour, one per sign-in (taken at ``/authorize``):
``"deny"`` (answers ``error=access_denied``), ``"wrong-nonce"``, ``"expired"``,
``"wrong-audience"`` (issued to another client, with ``azp`` naming ours: the sneaky case),
``"wrong-issuer"``, ``"unverified-email"``, ``"bad-signature"`` (signed by another key under
the published key's id), ``"no-id-token"`` and ``"token-500"`` (the token endpoint fails).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.standin import StandInServer

KEY_ID = "standin-1"
_KEYS: dict[str, RSAKey] = {}


def _key(name: str) -> RSAKey:
    # Generated once per test session: RSA key generation is the slow part of a sign-in.
    if name not in _KEYS:
        _KEYS[name] = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig",
                                                            "alg": "RS256"})
    return _KEYS[name]


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
        b"=").decode()


class StandInIdP(StandInServer):
    def __init__(self, client_id: str = "verkoopklaar", client_secret: str = "idp-secret",
                 *, interactive: bool = False) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.interactive = interactive
        self.key = _key("signing")
        self.claims: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        #: (path, HTTP status) of every request answered, in order
        self.requests: list[tuple[str, int]] = []
        self.sign_in_as("idp-sub-1", "sam@example.com", name="Sam Seller")

    @property
    def issuer(self) -> str:
        return self.root

    def app_config(self, **extra: Any) -> dict[str, Any]:
        """The settings that point the app at this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": self.client_id,
                "OIDC_CLIENT_SECRET": self.client_secret, "OIDC_NAME": "Acme", **extra}

    def sign_in_as(self, sub: str, email: str | None, *, email_verified: bool = True,
                   **claims: Any) -> None:
        """The person the provider vouches for from now on (extra claims: name, teams...)."""
        with self.lock:
            self.claims = {"sub": sub, **claims}
            if email is not None:
                self.claims.update(email=email, email_verified=email_verified)

    # HTTP -------------------------------------------------------------------------------------

    def serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        routes = {
            ("GET", "/.well-known/openid-configuration"): self._discovery,
            ("GET", "/jwks"): self._jwks,
            ("GET", "/authorize"): self._authorize,
            ("GET", "/authorize/approve"): self._approve,
            ("POST", "/token"): self._token,
        }
        route = routes.get((method, parts.path))
        with self.lock:
            if route is None:
                status, headers, body = 404, {}, b"not found"
            else:
                status, headers, body = route(handler, query)
            self.requests.append((parts.path, status))
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def _json(status: int, data: Any) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "application/json", "Cache-Control": "no-store"}, \
            json.dumps(data).encode()

    def _discovery(self, handler, query):  # noqa: ANN001, ANN202
        base = self.issuer
        return self._json(200, {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        })

    def _jwks(self, handler, query):  # noqa: ANN001, ANN202
        return self._json(200, KeySet([self.key]).as_dict(private=False))

    def _authorize(self, handler, query):  # noqa: ANN001, ANN202
        problem = self._check_authorize(query)
        if problem:
            return 400, {"Content-Type": "text/plain"}, problem.encode()
        if not self.interactive:
            return self._approve(handler, query)
        fields = "".join(f'<input type="hidden" name="{html.escape(k)}" '
                         f'value="{html.escape(v)}">' for k, v in query.items())
        # No favicon request: its 404 would show as a console error in the browser tests.
        page = ('<!doctype html><title>Stand-in provider</title><link rel="icon" href="data:,">'
                "<h1>Stand-in provider</h1>"
                f"<p>Sign in to {html.escape(self.client_id)} as "
                f"{html.escape(str(self.claims.get('email')))}?</p>"
                f'<form action="/authorize/approve" method="get">{fields}'
                f"<button>Approve</button></form>")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()

    def _check_authorize(self, query: dict[str, str]) -> str | None:
        if query.get("client_id") != self.client_id:
            return "unknown client_id"
        if query.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in query.get("scope", "").split():
            return "scope must include openid"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return "PKCE with S256 is required"
        if not query.get("state") or not query.get("redirect_uri"):
            return "state and redirect_uri are required"
        return None

    def _approve(self, handler, query):  # noqa: ANN001, ANN202
        problem = self._check_authorize(query)
        if problem:
            return 400, {"Content-Type": "text/plain"}, problem.encode()
        failure = self.failures.pop(0) if self.failures else None
        back = query["redirect_uri"]
        if failure == "deny":
            answer = {"error": "access_denied", "error_description": "The user said no",
                      "state": query["state"]}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"redirect_uri": back, "challenge": query["code_challenge"],
                                "nonce": query.get("nonce"), "claims": dict(self.claims),
                                "failure": failure}
            answer = {"code": code, "state": query["state"]}
        return 302, {"Location": f"{back}?{urlencode(answer)}"}, b""

    def _client_authenticated(self, handler, form: dict[str, str]) -> bool:  # noqa: ANN001
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return (user, password) == (self.client_id, self.client_secret)
        return (form.get("client_id"), form.get("client_secret")) == (self.client_id,
                                                                      self.client_secret)

    def _token(self, handler, query):  # noqa: ANN001, ANN202
        length = int(handler.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        if not self._client_authenticated(handler, form):
            return self._json(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code":
            return self._json(400, {"error": "unsupported_grant_type"})
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._json(400, {"error": "invalid_grant"})
        if s256(form.get("code_verifier", "")) != grant["challenge"]:
            return self._json(400, {"error": "invalid_grant",
                                    "error_description": "PKCE verification failed"})
        failure = grant["failure"]
        if failure == "token-500":
            return 500, {"Content-Type": "text/html"}, b"<h1>Internal Server Error</h1>"
        answer = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                  "expires_in": 300}
        if failure != "no-id-token":
            answer["id_token"] = self._id_token(grant, failure)
        return self._json(200, answer)

    def _id_token(self, grant: dict[str, Any], failure: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], **grant["claims"]}
        if failure == "wrong-nonce":
            claims["nonce"] = "not-the-one-you-sent"
        elif failure == "expired":
            claims.update(iat=now - 7200, exp=now - 3600)
        elif failure == "wrong-audience":
            claims.update(aud=["another-app"], azp=self.client_id)
        elif failure == "wrong-issuer":
            claims["iss"] = "https://impostor.example"
        elif failure == "unverified-email":
            claims["email_verified"] = False
        key = _key("impostor") if failure == "bad-signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)

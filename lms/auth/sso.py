"""Single sign-on through the organisation's OpenID Connect provider (Authlib).

The login page's "Log in with <organisation>" link starts here: ``start`` sends the browser to
the provider (authorisation code flow with PKCE S256, a state and a nonce kept in the signed
session), ``callback`` takes the code back, exchanges it, and has Authlib check the ID token's
signature (the provider's JWKS, from its discovery document) and claims; on top, the issuer
and the audience must be exactly ours. lms/people/sso.py decides whose account it opens. Every
way this can go wrong ends on a page that says what happened, with a link back to the login
page. Registered only when SSO is configured (``lms.config.sso_configured``).
"""

from __future__ import annotations

import re

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError
from requests import RequestException

from lms.auth.routes import finish_login, login_limit, safe_next
from lms.extensions import db, limiter
from lms.people import sso

bp = Blueprint("sso", __name__)

#: Where ``start`` keeps the page to return to; read (and dropped) by ``callback``.
_NEXT_KEY = "sso_next"
_DISCOVERY = "/.well-known/openid-configuration"
#: Seconds to wait for the provider before saying it cannot be reached.
PROVIDER_TIMEOUT = 10
#: Sign-ins one browser may have under way at once (tabs). Authlib keeps each one's state in
#: the session cookie for an hour; without a cap every click grows the cookie until the browser
#: drops it, and then no sign-in from that browser can succeed.
MAX_PENDING = 3
_STATE_PREFIX = "_state_oidc_"
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")


def init_sso(app: Flask) -> None:
    """Give ``app`` its OIDC client and the two routes. One Authlib registry per app (not a
    module-level one): each app's client carries that app's settings and cached keys."""
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    OAuth(app).register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer + _DISCOVERY,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "default_timeout": PROVIDER_TIMEOUT},
    )
    app.register_blueprint(bp, url_prefix="/login/sso")


def _client():  # noqa: ANN202 - authlib's FlaskOAuth2App
    return current_app.extensions["authlib.integrations.flask_client"].create_client("oidc")


def provider_name() -> str:
    return current_app.config["OIDC_NAME"]


class ProviderUnusable(Exception):
    """The provider's discovery document is not one we can sign in with."""


def _metadata(client) -> dict:  # noqa: ANN001
    metadata = client.load_server_metadata()
    # OIDC Discovery 4.3: the document must name the issuer it was fetched for.
    named = str(metadata.get("issuer") or "")
    if named.rstrip("/") != current_app.config["OIDC_ISSUER"].rstrip("/"):
        raise ProviderUnusable("issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not metadata.get(key):
            raise ProviderUnusable(key)
    return metadata


def refused(message: str, status: int = 400):  # noqa: ANN201 - Flask response
    """The page every failed sign-in ends on: what happened, and the way back."""
    db.session.rollback()
    return render_template("auth/sso_refused.html", message=message,
                           provider=provider_name()), status


def _unreachable():  # noqa: ANN202
    return refused(_("%(provider)s's sign-in service cannot be reached or did not answer "
                     "properly. Try again in a few minutes; if it keeps happening, tell an "
                     "administrator.", provider=provider_name()), 502)


@bp.route("/")
def start():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(url_for("auth.index"))
    client = _client()
    try:
        _metadata(client)
    except (RequestException, ProviderUnusable) as exc:
        current_app.logger.warning("SSO: the provider's discovery document failed: %r", exc)
        return _unreachable()
    session[_NEXT_KEY] = safe_next(request.args.get("next"))
    _drop_old_attempts()
    return client.authorize_redirect(url_for("sso.callback", _external=True))


def _drop_old_attempts() -> None:
    """Keep room for one more sign-in: forget all but the newest ``MAX_PENDING - 1``."""
    pending = sorted((key for key in session if key.startswith(_STATE_PREFIX)),
                     key=lambda key: session[key].get("exp", 0))
    for key in pending[:max(0, len(pending) - MAX_PENDING + 1)]:
        session.pop(key)


@bp.route("/callback")
# Only failures count: a success took a sign-in at the provider, and a sales office behind one
# address all signing in at nine must not be turned away.
@limiter.limit(login_limit, deduct_when=lambda response: response.status_code >= 400)
def callback():  # noqa: ANN201
    provider = provider_name()
    error = request.args.get("error")
    if error:
        # Only an answer to a sign-in this browser started: anyone can send a link to this
        # page, and its words must not be theirs. The sign-in is over either way.
        if session.pop(_STATE_PREFIX + request.args.get("state", ""), None) is None:
            return _not_started_here()
        current_app.logger.info("SSO: the provider answered %r (%r)", error[:64],
                                request.args.get("error_description", "")[:200])
        if error == "access_denied":
            return refused(_("The sign-in at %(provider)s was cancelled, or %(provider)s did "
                             "not allow it.", provider=provider), 403)
        # An error code (RFC 6749 4.1.2.1) is a word like server_error; shown only if it is one.
        code = error if _ERROR_CODE.fullmatch(error) else "?"
        return refused(_("%(provider)s could not sign you in (it answered: %(error)s).",
                         provider=provider, error=code))
    client = _client()
    issuer = current_app.config["OIDC_ISSUER"]
    try:
        _metadata(client)
        token = client.authorize_access_token(claims_options={
            # Authlib takes the issuer from the discovery document and lets an audience
            # without us pass when "azp" names us: both must be exactly ours.
            "iss": {"essential": True, "values": [issuer, issuer.rstrip("/")]},
            "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
        })
    except MismatchingStateError:
        return _not_started_here()
    except OAuthError as exc:
        current_app.logger.warning("SSO: the token request failed: %s", exc)
        return refused(_("%(provider)s refused to complete the sign-in. Start again from the "
                         "login page.", provider=provider))
    except (RequestException, ProviderUnusable) as exc:
        current_app.logger.warning("SSO: the provider could not be used: %r", exc)
        return _unreachable()
    except JoseError as exc:
        current_app.logger.warning("SSO: the ID token was refused: %r", exc)
        return refused(_why_token_refused(exc, provider))
    claims = token.get("userinfo")
    if not claims:
        return refused(_("%(provider)s did not send an identity with its answer. Tell an "
                         "administrator.", provider=provider))

    identity = sso.Identity.from_claims(claims, current_app.config["OIDC_TEAM_CLAIM"])
    try:
        result = sso.sign_in(identity, create=current_app.config["OIDC_CREATE_USERS"],
                             provider=provider)
    except sso.SignInRefused as exc:
        return refused(exc.message, 403)
    next_url = session.pop(_NEXT_KEY, None)
    response = finish_login(result.user, remember=False, next_url=next_url)
    if result.created:
        flash(_("Welcome! Your account was made from your %(provider)s sign-in.",
                provider=provider), "success")
    return response


def _not_started_here():  # noqa: ANN202
    return refused(_("This sign-in was not started here, or it took too long. Start again "
                     "from the login page."))


def _why_token_refused(exc: JoseError, provider: str) -> str:
    """Say in words why the ID token was not accepted."""
    if isinstance(exc, ExpiredTokenError):
        reason = _("it had expired (is this server's clock right?)")
    elif isinstance(exc, BadSignatureError):
        reason = _("its signature is not valid")
    elif isinstance(exc, ClaimError) and exc.claim == "nonce":
        reason = _("it belongs to another sign-in")
    elif isinstance(exc, ClaimError) and exc.claim in ("aud", "azp"):
        reason = _("it was issued for another application")
    elif isinstance(exc, ClaimError) and exc.claim == "iss":
        reason = _("it was issued by another identity provider")
    else:
        reason = _("it could not be verified")
    return _("The answer from %(provider)s was refused: %(reason)s. Start again from the "
             "login page; if it keeps happening, tell an administrator.",
             provider=provider, reason=reason)

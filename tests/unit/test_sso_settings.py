"""Single sign-on settings and how an ID token's claims are read (lms/config.py,
lms/people/sso.py)."""

from __future__ import annotations

import pytest

from lms.config import load_config, sso_configured
from lms.people.sso import Identity

OIDC_ENV = {"LMS_OIDC_ISSUER": "https://id.example.com", "LMS_OIDC_CLIENT_ID": "lms",
            "LMS_OIDC_CLIENT_SECRET": "s3cret"}


def test_single_sign_on_is_off_by_default_and_on_with_all_three_settings(tmp_path):
    defaults = load_config(tmp_path, environ={})
    assert not sso_configured(defaults)
    assert (defaults["PASSWORD_LOGIN"], defaults["OIDC_CREATE_USERS"]) == ("everyone", False)
    config = load_config(tmp_path, environ={**OIDC_ENV, "LMS_OIDC_CREATE_USERS": "yes",
                                            "LMS_PASSWORD_LOGIN": "admins"})
    assert sso_configured(config)
    assert (config["PASSWORD_LOGIN"], config["OIDC_CREATE_USERS"]) == ("admins", True)


@pytest.mark.parametrize("left_out", sorted(OIDC_ENV))
def test_half_a_single_sign_on_configuration_refuses_to_start(tmp_path, left_out):
    environ = {k: v for k, v in OIDC_ENV.items() if k != left_out}
    with pytest.raises(RuntimeError, match=f"single sign-on is half configured: {left_out}"):
        load_config(tmp_path, environ=environ)


def test_the_client_secret_is_refused_in_the_instance_config_file(tmp_path):
    (tmp_path / "config.py").write_text("OIDC_CLIENT_SECRET = 's3cret'\n")
    with pytest.raises(RuntimeError, match="set LMS_OIDC_CLIENT_SECRET in the environment"):
        load_config(tmp_path, environ={})


def test_password_login_takes_only_the_two_choices(tmp_path):
    with pytest.raises(RuntimeError, match="LMS_PASSWORD_LOGIN: expected one of everyone, "
                                           "admins"):
        load_config(tmp_path, environ={"LMS_PASSWORD_LOGIN": "nobody"})


@pytest.mark.parametrize(("claims", "verified", "name", "teams"), [
    ({"email_verified": True, "name": "  Sam   Seller "}, True, "Sam Seller", ()),
    # Cognito sends the flag as a string; anything else is not a yes.
    ({"email_verified": "true", "given_name": "Sam", "family_name": "Seller"}, True,
     "Sam Seller", ()),
    ({"email_verified": "yes", "dept": "North"}, False, "", ("North",)),
    ({"dept": ["North", "", 7, "South"]}, False, "", ("North", "South")),
    # A name that is not text is no name: the given and family names are used instead.
    ({"name": {"nl": "Sam"}, "given_name": "Sam", "family_name": ["Seller"]}, False, "Sam", ()),
    ({"name": "   ", "given_name": "Sam"}, False, "Sam", ()),
])
def test_claims_are_read_with_care(claims, verified, name, teams):
    identity = Identity.from_claims({"sub": "s1", "email": " sam@example.com ", **claims},
                                    "dept")
    assert identity.subject == "s1" and identity.email == "sam@example.com"
    assert (identity.email_verified, identity.name, identity.team_names) == (verified, name,
                                                                           teams)


def test_a_long_name_is_cut_to_fit():
    assert len(Identity.from_claims({"sub": "s", "name": "x" * 500}).name) == 120


@pytest.mark.parametrize(("issuer", "accepted"), [
    ("https://login.example.com/tenant/v2.0", True),
    ("http://127.0.0.1:8080", True),   # a provider on this machine: a stand-in, a relay
    ("http://localhost:8080", True),
    ("http://login.example.com", False),  # the client secret would travel in the clear
    ("login.example.com", False),
    ("https://", False),
])
def test_the_issuer_must_be_reached_over_https(tmp_path, issuer, accepted):
    environ = {**OIDC_ENV, "LMS_OIDC_ISSUER": issuer}
    if accepted:
        assert load_config(tmp_path, environ=environ)["OIDC_ISSUER"] == issuer
    else:
        with pytest.raises(RuntimeError, match="LMS_OIDC_ISSUER must be an https:// address"):
            load_config(tmp_path, environ=environ)

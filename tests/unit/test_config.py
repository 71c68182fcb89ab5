"""Configuration: defaults, the generated secret, environment overrides and typed parsing."""

from __future__ import annotations

import stat

import pytest

from lms import create_app
from lms.config import load_config


def test_a_fresh_instance_folder_gets_a_generated_secret_kept_across_starts(tmp_path):
    instance = tmp_path / "instance"
    first = load_config(instance, environ={})
    secret_file = instance / "secret_key"
    assert secret_file.exists()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(first["SECRET_KEY"]) >= 40
    assert load_config(instance, environ={})["SECRET_KEY"] == first["SECRET_KEY"]
    other = load_config(tmp_path / "elsewhere", environ={})
    assert other["SECRET_KEY"] != first["SECRET_KEY"]


def test_defaults(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    assert config["CONTENT_DIR"].endswith("content")
    assert config["QUIZ_DIR"].endswith("quizzes")
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_environment_variables_override_defaults(tmp_path):
    environ = {
        "LMS_DATABASE_URL": "postgresql+psycopg://u:p@db/lms",
        "LMS_SECRET_KEY": "from-the-environment",
        "LMS_CONTENT_DIR": "/srv/content",
        "LMS_QUIZ_DIR": "/srv/quizzes",
        "LMS_SESSION_COOKIE_SECURE": "true",
        "LMS_REMEMBER_DAYS": "7",
        "LMS_CONTENT_CATEGORIES": "product-knowledge, customer-demographics, compliance",
    }
    config = load_config(tmp_path, environ=environ)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/lms"
    assert config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    assert (config["CONTENT_DIR"], config["QUIZ_DIR"]) == ("/srv/content", "/srv/quizzes")
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_DURATION"] == 7 * 86400
    assert config["CONTENT_CATEGORIES"][-1] == "compliance"


def test_instance_config_file_sits_between_defaults_and_environment(tmp_path):
    (tmp_path / "config.py").write_text("REMEMBER_DAYS = 14\nLOGIN_RATE_LIMIT = '5 per minute'\n")
    config = load_config(tmp_path, environ={"LMS_REMEMBER_DAYS": "3"})
    assert config["REMEMBER_DAYS"] == 3
    assert config["LOGIN_RATE_LIMIT"] == "5 per minute"


@pytest.mark.parametrize(("name", "value"), [
    ("LMS_SESSION_COOKIE_SECURE", "maybe"),
    ("LMS_REMEMBER_DAYS", "thirty"),
])
def test_bad_environment_values_are_named(tmp_path, name, value):
    with pytest.raises(RuntimeError, match=name):
        load_config(tmp_path, environ={name: value})


def test_factory_takes_a_config_dict_that_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_SECRET_KEY", "env-secret")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "dict-secret",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["SECRET_KEY"] == "dict-secret"
    assert app.instance_path == str(tmp_path)
    assert app.template_folder and app.static_folder
    # The factory writes nothing to the database: no file was created.
    assert not (tmp_path / "x.sqlite3").exists()


def test_every_setting_is_documented_in_the_readme():
    from lms.config import PROJECT_ROOT, SETTINGS

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.key for s in SETTINGS if f"`LMS_{s.key}`" not in readme]
    assert missing == [], f"README.md does not list LMS_{', LMS_'.join(missing)}"

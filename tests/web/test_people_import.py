"""Bulk import of people from CSV: in the browser, on the command line, all or nothing."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import AliasKind, Role, Team, User
from lms.people.importer import apply_import, plan_import
from tests.conftest import login, page_token
from tests.factories import make_user

FIXTURES = Path(__file__).parent.parent / "fixtures" / "people"
HEADER = "email,name,role,team,manager_email,hire_date,crm_name\n"


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_good_file_imports_everyone_with_teams_managers_and_aliases(app):
    plan = plan_import((FIXTURES / "good.csv").read_bytes(), filename="good.csv")
    assert plan.ok, plan.errors
    assert (plan.new_count, plan.update_count) == (5, 0)
    assert plan.teams_to_create == ["Team Noord", "Team Zuid"]
    result = apply_import(plan)
    db.session.commit()
    assert len(result.created) == 5

    anna = db.session.scalar(select(User).where(User.email == "anna.devries@example.nl"))
    assert anna.role == "learner" and anna.team.name == "Team Noord"
    assert anna.manager.email == "sanne.bakker@example.nl"
    assert anna.hire_date == date(2026, 9, 1)
    assert anna.must_change_password
    # A manager named further down the file than the person is found too.
    mo = db.session.scalar(select(User).where(User.email == "mo.elamrani@example.nl"))
    assert mo.manager.name == "Daan Visser"
    assert [m.name for m in mo.team.managers] == ["Daan Visser"]
    piet = db.session.scalar(select(User).where(User.name == "Jansen, Piet"))
    assert piet.hire_date == date(2026, 10, 15)  # day-first date accepted
    assert db.session.scalar(select(User).where(User.email == "sanne.bakker@example.nl")) \
        .alias_values(AliasKind.CRM_NAME) \
        == ["S. Bakker"]


def _rows(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(("data", "expected"), [
    (b"email,name,team\nx@example.com,X,Sales\n",
     [(1, None, "missing column: role")]),
    (b"email,name,role,nickname\nx@example.com,X,learner,Xx\n",
     [(1, None, "unknown column: nickname")]),
    (_rows("ok@example.com,Ok,learner,,,,", "not-an-email,Bad,learner,,,,"),
     [(3, "email", "'not-an-email' is not a valid email address")]),
    (_rows("a@example.com,A,learner,,,,", "b@example.com,B,salesman,,,,"),
     [(3, "role", "unknown role 'salesman'; use one of learner, trainer, manager, admin")]),
    (_rows("a@example.com,A,learner,,boss@example.com,,"),
     [(2, "manager_email", "no person with email boss@example.com exists or is in this file")]),
    (_rows("a@example.com,A,learner,,,,", "b@example.com,B,learner,,,,",
           "A@Example.com,A again,learner,,,,"),
     [(4, "email", "a@example.com appears twice (also on line 2)")]),
    (_rows("a@example.com,,learner,,,,"), [(2, "name", "a name is required")]),
    (_rows("a@example.com,A,learner,,,31-02-2026,"),
     [(2, "hire_date", "'31-02-2026' is not a date")]),
    (_rows("a@example.com,A,learner,,,", ), [(2, None, "expected 7 fields, found 6")]),
    (_rows("a@example.com,A,learner,,b@example.com,,", "b@example.com,B,learner,,,,"),
     [(2, "manager_email", "b@example.com has the role learner, not manager")]),
    (_rows("a@example.com,A,learner,,,,Same Name", "b@example.com,B,learner,,,,same  name"),
     [(3, "crm_name", "CRM name 'same name' is also on line 2")]),
    (HEADER.encode(), [(2, None, "the file has a header but no people")]),
    (b"\xff\xfee\x00m\x00", [(1, None, "the file is not UTF-8 text")]),
])
def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_written(
        app, data, expected):
    before = count_users()
    plan = plan_import(data, filename="people.csv")
    found = [(e.line, e.column, e.message) for e in plan.errors]
    assert len(found) == len(expected), found
    for (line, column, message), (e_line, e_column, e_message) in zip(found, expected,
                                                                      strict=True):
        assert (line, column) == (e_line, e_column)
        assert e_message in message
    with pytest.raises(Exception, match="nothing was imported"):
        apply_import(plan)
    assert count_users() == before


def test_one_bad_row_among_good_ones_imports_nothing(app):
    data = (FIXTURES / "good.csv").read_bytes() + b"broken@,Broken,learner,,,,\n"
    plan = plan_import(data, filename="good.csv")
    assert [(e.line, e.column) for e in plan.errors] == [(7, "email")]
    assert count_users() == 0
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0


def test_existing_people_are_refused_unless_updating(app):
    make_user(email="anna.devries@example.nl", name="Anna Old")
    plan = plan_import((FIXTURES / "good.csv").read_bytes(), filename="good.csv")
    assert [(e.line, e.column) for e in plan.errors] == [(3, "email")]
    assert "already has an account" in plan.errors[0].message
    plan = plan_import((FIXTURES / "good.csv").read_bytes(), filename="good.csv",
                       update_existing=True)
    assert plan.ok and (plan.new_count, plan.update_count) == (4, 1)
    apply_import(plan)
    db.session.commit()
    assert db.session.scalar(select(User.name).where(User.email == "anna.devries@example.nl")) \
        == "Anna de Vries"


def test_semicolons_bom_and_windows_line_ends(app):
    data = "\ufeffemail;name;role;team;manager_email;hire_date;crm_name\r\n" \
           "a@example.com;Zoë Ærts;learner;Ventes Wallonie;;2026-01-05;\r\n"
    plan = plan_import(data.encode("utf-8"), filename="excel.csv")
    assert plan.ok, plan.errors
    apply_import(plan)
    db.session.commit()
    assert db.session.scalar(select(User.name)) == "Zoë Ærts"


def test_line_numbers_count_lines_inside_quoted_fields_and_blank_lines(app):
    data = _rows('a@example.com,"A\nwith a line break",learner,,,,', "",
                 "b@example.com,B,wizard,,,,")
    plan = plan_import(data, filename="people.csv")
    assert [(e.line, e.column) for e in plan.errors] == [(5, "role")]


# Through the browser -------------------------------------------------------------------------

def _admin_client(app):  # noqa: ANN001, ANN202
    make_user(Role.ADMIN, email="root@example.com")
    client = app.test_client()
    login(client, "root@example.com")
    return client


def test_upload_preview_then_confirm(app):
    client = _admin_client(app)
    token = page_token(client, "/admin/people/import")
    response = client.post("/admin/people/import", data={
        "csrf_token": token,
        "file": ((FIXTURES / "good.csv").open("rb"), "good.csv"),
    }, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "5 new people" in page and "Team Noord" in page
    assert count_users() == 1  # nothing written by the preview

    confirm_token = page_token(client, "/admin/people/import")
    payload = page.split('name="payload" type="hidden" value="')[1].split('"')[0]
    response = client.post("/admin/people/import/confirm", data={
        "csrf_token": confirm_token, "payload": payload, "filename": "good.csv",
        "update_existing": ""})
    page = response.get_data(as_text=True)
    assert "5 created" in page
    assert "Temporary passwords" in page
    assert count_users() == 6


def test_upload_with_errors_shows_every_problem_and_writes_nothing(app):
    client = _admin_client(app)
    data = _rows("a@example.com,A,learner,,,,", "bad,B,chief,,,,")
    response = client.post("/admin/people/import", data={
        "csrf_token": page_token(client, "/admin/people/import"),
        "file": (io.BytesIO(data), "people.csv"),
    }, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "Nothing was imported: 2 problems to fix" in page
    assert "<td>3</td><td>email</td>" in page and "<td>3</td><td>role</td>" in page
    assert "Import these people" not in page
    assert count_users() == 1


# On the command line -------------------------------------------------------------------------

def test_cli_import(runner, tmp_path):
    out = tmp_path / "passwords.csv"
    result = runner.invoke(args=["users", "import", str(FIXTURES / "good.csv"),
                                 "--passwords-out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Imported: 5 created, 0 updated." in result.output
    assert len(out.read_text().splitlines()) == 6
    assert count_users() == 5


def test_cli_import_reports_bad_rows_and_exits_non_zero(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_rows("a@example.com,A,learner,,,,", "b@example.com,B,learner,,x@y.z,,"))
    result = runner.invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: manager_email: no person with email x@y.z" in result.output
    assert "nothing was imported" in result.output
    assert count_users() == 0


def test_cli_dry_run_writes_nothing(runner):
    result = runner.invoke(args=["users", "import", str(FIXTURES / "good.csv"), "--dry-run"])
    assert result.exit_code == 0 and "Dry run" in result.output
    assert count_users() == 0

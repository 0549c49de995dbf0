"""Administration: departments, users and roles, deactivation, the audit log."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask_babel import refresh
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from consult.accounts.models import Department, RoleAssignment, User
from consult.audit.models import AuditEntry
from consult.extensions import db
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


@pytest.fixture
def admin(client, login_as):
    return login_as(UserFactory(role="admin", display_name="管理员"))


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def field_error(response, field: str) -> str:
    match = re.search(rf'id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert match, f"no error beside {field}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).replace("Error:", "").strip()


# ---------------------------------------------------------------- who may enter

@pytest.mark.parametrize("path", ["/admin/", "/admin/users", "/admin/departments",
                                  "/admin/audit", "/admin/users/1"])
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login?next=" in response.location


@pytest.mark.parametrize("role", [None, "official", "moderator", "evaluator"])
def test_other_roles_get_403(client, login_as, role):
    dept = DepartmentFactory()
    login_as(UserFactory(role=role, role__department=dept if role == "official" else None))
    for path in ("/admin/users", "/admin/departments", "/admin/audit"):
        response = client.get(path)
        assert response.status_code == 403
        assert "You are not allowed to do this." in unescape(response.text)
    response = client.post("/admin/departments", data={"name": "新局", "slug": "new"})
    assert response.status_code == 403
    assert rows(Department) == 1


def test_deactivated_admin_is_logged_out(client, login_as):
    user = login_as(UserFactory(role="admin", active=False))
    assert user.is_active is False
    assert client.get("/admin/users").status_code == 302


# ---------------------------------------------------------------- departments

def test_create_rename_and_deactivate_a_department(client, admin):
    page = client.get("/admin/departments")
    assert page.status_code == 200 and "No departments yet" in page.text

    response = client.post("/admin/departments", data={
        "name": "市民政局", "name_en": "Civil Affairs Bureau", "slug": "civil-affairs",
        "description": "养老服务"})
    assert response.status_code == 303
    dept = db.session.scalar(select(Department))
    assert (dept.name, dept.slug, dept.active) == ("市民政局", "civil-affairs", True)
    assert "Department 市民政局 created." in unescape(client.get("/admin/departments").text)
    [created] = audit("department.created")
    assert created.actor_id == admin.id and created.target_id == dept.id

    response = client.post(f"/admin/departments/{dept.id}", data={
        "name": "市民政局（新）", "name_en": "Civil Affairs Bureau", "slug": "civil-affairs",
        "description": "养老服务", "active": "y"})
    assert response.status_code == 303
    [renamed] = audit("department.updated")
    assert renamed.data == {"changes": {"name": ["市民政局", "市民政局（新）"]}}

    response = client.post(f"/admin/departments/{dept.id}", data={
        "name": "市民政局（新）", "name_en": "Civil Affairs Bureau", "slug": "civil-affairs",
        "description": "养老服务"})  # "active" unticked
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Department, dept.id).active is False
    assert len(audit("department.deactivated")) == 1

    # the statutory minimum comment period
    response = client.post(f"/admin/departments/{dept.id}", data={
        "name": "市民政局（新）", "slug": "civil-affairs", "min_period_days": "0"})
    assert response.status_code == 422 and "Enter a number between 1 and 365." in response.text
    response = client.post(f"/admin/departments/{dept.id}", data={
        "name": "市民政局（新）", "slug": "civil-affairs", "min_period_days": "7",
        "min_period_workdays": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(Department, dept.id)
    assert (saved.min_period_days, saved.min_period_workdays) == (7, True)
    assert "Deactivated" in client.get("/admin/departments").text


@pytest.mark.parametrize("data, field, status, message", [
    ({"name": "市民政局", "slug": "other"}, "name", 409, "Another department already uses this."),
    ({"name": "别的局", "slug": "civil-affairs"}, "slug", 409,
     "Another department already uses this."),
    ({"name": "别的局", "slug": "Not A Slug"}, "slug", 422,
     "Use lower-case letters, digits and hyphens only."),
    ({"name": "", "slug": "x"}, "name", 422, "Enter the department's name."),
    ({"name": "别的局", "slug": ""}, "slug", 422, "Enter a short name."),
    ({"name": "局" * 121, "slug": "long"}, "name", 422, "Use at most 120 characters."),
])
def test_bad_department_gets_message_and_saves_nothing(client, admin, data, field, status,
                                                       message):
    DepartmentFactory(name="市民政局", slug="civil-affairs")
    before = rows(AuditEntry)
    response = client.post("/admin/departments", data=data)
    assert response.status_code == status
    assert field_error(response, field) == message
    assert rows(Department) == 1 and rows(AuditEntry) == before


def test_renaming_onto_another_department_is_refused(client, admin):
    DepartmentFactory(name="市民政局", slug="civil-affairs")
    other = DepartmentFactory(name="市交通局", slug="transport")
    response = client.post(f"/admin/departments/{other.id}", data={
        "name": "市民政局", "slug": "transport", "active": "y"})
    assert response.status_code == 409
    assert field_error(response, "name") == "Another department already uses this."
    db.session.expire_all()
    assert db.session.get(Department, other.id).name == "市交通局"


def test_unknown_department_is_404(client, admin):
    assert client.get("/admin/departments/999999").status_code == 404


# ---------------------------------------------------------------- users and roles

def test_search_users(client, admin):
    UserFactory(display_name="王小梅", email="mei@example.org")
    UserFactory(display_name="李伟", email="wei@example.org")
    mod = UserFactory(display_name="Moderator Ma", email="ma@example.org", role="moderator")

    page = client.get("/admin/users")
    assert page.status_code == 200 and "4 users found" in page.text
    found = client.get("/admin/users?q=MEI")
    assert "1 user found" in found.text and "王小梅" in found.text and "李伟" not in found.text
    assert "李伟" in client.get("/admin/users?q=李").text
    by_role = client.get("/admin/users?role=moderator")
    assert "1 user found" in by_role.text and f"/admin/users/{mod.id}" in by_role.text
    nothing = client.get("/admin/users?q=nobody-like-this")
    assert "No user matches" in nothing.text
    # htmx asks for the rows only.
    fragment = client.get("/admin/users?q=mei", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "王小梅" in fragment.text


def test_assign_roles_including_official_of_several_departments(client, admin):
    a = DepartmentFactory(name="市民政局")
    b = DepartmentFactory(name="市交通局")
    user = UserFactory()
    page = client.get(f"/admin/users/{user.id}")
    assert page.status_code == 200 and "市交通局" in page.text

    response = client.post(f"/admin/users/{user.id}", data={
        "roles": ["moderator", "evaluator"], "department_ids": [str(a.id), str(b.id)]})
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert saved.role_names == {"moderator", "evaluator", "official"}
    assert saved.official_department_ids == {a.id, b.id}
    [entry] = audit("user.roles_changed")
    assert entry.actor_id == admin.id and entry.target_id == user.id
    assert entry.data["before"] == []
    assert sorted(entry.data["after"]) == sorted(
        ["moderator", "evaluator", f"official:{a.id}", f"official:{b.id}"])

    # Remove one department and a role.
    client.post(f"/admin/users/{user.id}", data={"roles": ["evaluator"],
                                                 "department_ids": [str(b.id)]})
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert saved.role_names == {"evaluator", "official"}
    assert saved.official_department_ids == {b.id}
    assert len(audit("user.roles_changed")) == 2
    # Saving the same roles again records nothing.
    client.post(f"/admin/users/{user.id}", data={"roles": ["evaluator"],
                                                 "department_ids": [str(b.id)]})
    assert len(audit("user.roles_changed")) == 2


@pytest.mark.parametrize("data, field, message", [
    ({"roles": ["emperor"]}, "roles", "Unknown role."),
    ({"department_ids": ["999999"]}, "department_ids", "Unknown department."),
])
def test_bad_roles_get_message_and_save_nothing(client, admin, data, field, message):
    user = UserFactory(role="moderator")
    response = client.post(f"/admin/users/{user.id}", data=data)
    assert response.status_code == 422
    assert field_error(response, field) == message
    db.session.expire_all()
    assert db.session.get(User, user.id).role_names == {"moderator"}
    assert rows(RoleAssignment) == 2 and audit("user.roles_changed") == []


def test_admin_cannot_drop_own_admin_role(client, admin):
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["moderator"]})
    assert response.status_code == 422
    assert field_error(response, "roles") == "You cannot remove your own administrator role."
    db.session.expire_all()
    assert db.session.get(User, admin.id).role_names == {"admin"}


def test_deactivated_user_cannot_log_in_and_loses_sessions(client, app, admin):
    user = UserFactory(email="mei@example.org")
    elsewhere = app.test_client()
    assert elsewhere.post("/auth/login", data={"email": user.email,
                                               "password": PASSWORD}).status_code == 303

    response = client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert "Account deactivated." in client.get(response.location).text
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    [entry] = audit("user.deactivated")
    assert entry.actor_id == admin.id and entry.target_id == user.id

    assert elsewhere.get("/me/").status_code == 302  # the open session ended
    elsewhere.set_cookie("locale", "en")
    refused = elsewhere.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 422
    assert "This account has been deactivated." in unescape(refused.text)

    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert len(audit("user.activated")) == 1
    assert elsewhere.post("/auth/login", data={"email": user.email,
                                               "password": PASSWORD}).status_code == 303


def test_admin_cannot_deactivate_self(client, admin):
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in unescape(response.text)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True


# ---------------------------------------------------------------- the audit log

def test_audit_log_shows_logins_failures_roles_and_departments(client, app, admin):
    user = UserFactory(email="mei@example.org")
    visitor = app.test_client()
    visitor.post("/auth/login", data={"email": "mei@example.org", "password": "wrong one!"})
    visitor.post("/auth/login", data={"email": "mei@example.org", "password": PASSWORD})
    client.post("/admin/departments", data={"name": "市民政局", "slug": "civil-affairs"})
    dept = db.session.scalar(select(Department))
    client.post(f"/admin/users/{user.id}", data={"department_ids": [str(dept.id)]})

    page = client.get("/admin/audit")
    assert page.status_code == 200
    for action in ("user.login_failed", "user.logged_in", "department.created",
                   "user.roles_changed"):
        assert f"<code>{action}</code>" in page.text
    filtered = client.get("/admin/audit?action=user.log")
    assert "user.logged_in" in filtered.text and "user.login_failed" in filtered.text
    assert "department.created" not in filtered.text


# ---------------------------------------------------------------- flask create-admin

# The terminal's locale variables, as an operator without any would have them.
OPERATOR_IN_ENGLISH = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "Boss@Example.org",
                                 "--name", "管理员", "--password", "plum blossom 2026"])
    assert result.exit_code == 0, result.output
    assert "boss@example.org" in result.output
    admin = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert admin.is_verified and admin.role_names == {"admin"}
    assert [e.actor_label for e in audit("user.roles_changed")] == ["system"]

    again = runner.invoke(args=["create-admin", "--email", "boss@example.org",
                                "--name", "Other", "--password", "plum blossom 2026"],
                          env=OPERATOR_IN_ENGLISH)
    # The command speaks the operator's language (English unless LANG says otherwise).
    assert again.exit_code == 1
    assert ("An account with this e-mail address already exists. "
            "Log in or reset your password.") in again.output
    weak = runner.invoke(args=["create-admin", "--email", "weak@example.org",
                               "--name", "Weak", "--password", "1234567890"])
    assert weak.exit_code == 1
    assert rows(User) == 1


def test_create_admin_without_questions_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "ops@example.org", "--name", "Ops",
                                 "--password-stdin"], input="plum blossom 2026\n",
                           env=OPERATOR_IN_ENGLISH)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Administrator ops@example.org created."
    admin = db.session.scalar(select(User).where(User.email == "ops@example.org"))
    assert admin.role_names == {"admin"}
    assert check_password_hash(admin.password_hash, "plum blossom 2026")


def test_create_admin_asks_for_what_is_missing(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin"], env=OPERATOR_IN_ENGLISH,
                           input="asked@example.org\nAsked\nplum blossom 2026\n"
                                 "plum blossom 2026\n")
    assert result.exit_code == 0, result.output
    for prompt in ("E-mail address:", "Display name:", "Password:", "Repeat the password:"):
        assert prompt in result.output
    assert "plum blossom" not in result.output  # the password is not echoed
    assert db.session.scalar(select(User).where(User.email == "asked@example.org"))


def test_create_admin_speaks_the_operators_language(app):
    runner = app.test_cli_runner()
    refresh()
    chinese = runner.invoke(args=["create-admin", "--email", "zh@example.org", "--name", "管理员",
                                  "--password", "short"],
                            env={**OPERATOR_IN_ENGLISH, "LANG": "zh_CN.UTF-8"})
    assert chinese.exit_code == 1
    assert chinese.output.strip() == "Error: 请至少使用 10 个字符。"
    refresh()
    english = runner.invoke(args=["create-admin", "--email", "en@example.org", "--name", "Admin",
                                  "--password", "short"],
                            env={**OPERATOR_IN_ENGLISH, "LANG": "C.UTF-8"})
    assert english.output.strip() == "Error: Use at least 10 characters."
    refresh()
    # ... while the site keeps speaking each visitor's language (Chinese by default).
    page = app.test_client().get("/auth/login")
    assert "登录" in page.text

"""Query budgets: the home page and the admin user list issue the same number of SQL
statements with few and with many users."""

from __future__ import annotations

import pytest

from consult.accounts.models import Role, RoleAssignment, User
from consult.extensions import db
from tests.factories import PASSWORD_HASH, DepartmentFactory, UserFactory

BUDGET = 15


def add_users(count: int, departments) -> None:
    """Users with a mix of roles, inserted in one transaction."""
    start = db.session.query(User).count()
    for i in range(start, start + count):
        user = User(email=f"budget{i}@example.org", display_name=f"用户{i}",
                    password_hash=PASSWORD_HASH, roles=[])
        if i % 3 == 0:
            user.roles.append(RoleAssignment(role=Role.OFFICIAL,
                                             department_id=departments[i % 2].id))
            user.roles.append(RoleAssignment(role=Role.OFFICIAL,
                                             department_id=departments[(i + 1) % 2].id))
        if i % 5 == 0:
            user.roles.append(RoleAssignment(role=Role.MODERATOR))
        db.session.add(user)
    db.session.commit()


def measure(client, count_queries, path: str) -> list[str]:
    client.get(path)  # warm caches that are per process, not per request
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return list(statements)


@pytest.mark.parametrize("who", ["visitor", "citizen", "admin"])
def test_home_page_budget(app, client, login_as, count_queries, who):
    departments = [DepartmentFactory(), DepartmentFactory()]
    if who != "visitor":
        login_as(UserFactory(role="admin") if who == "admin" else UserFactory())
    add_users(3, departments)
    small = measure(client, count_queries, "/")
    add_users(200, departments)
    big = measure(client, count_queries, "/")
    assert len(big) == len(small) <= BUDGET, "\n".join(big)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users?q=用户", "/admin/users?page=2",
                                  "/admin/users?role=official"])
def test_admin_user_list_budget(app, client, login_as, count_queries, path):
    departments = [DepartmentFactory(), DepartmentFactory()]
    login_as(UserFactory(role="admin"))
    add_users(30, departments)  # enough for a second page
    small = measure(client, count_queries, path)
    add_users(200, departments)
    big = measure(client, count_queries, path)
    assert len(big) == len(small) <= BUDGET, "\n".join(big)


def test_admin_user_list_budget_with_three_users(app, client, login_as, count_queries):
    departments = [DepartmentFactory(), DepartmentFactory()]
    login_as(UserFactory(role="admin"))
    add_users(2, departments)
    small = measure(client, count_queries, "/admin/users")
    add_users(200, departments)
    big = measure(client, count_queries, "/admin/users")
    assert len(big) == len(small) <= BUDGET, "\n".join(big)

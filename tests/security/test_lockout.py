"""Login lockout: after N failures in the window the account (and, at a higher count,
the address) is locked for a while; the same generic message plus "try again later",
a 429 with Retry-After, audited; even the right password waits."""

from __future__ import annotations

from sqlalchemy import select

from consult.audit.models import AuditEntry
from consult.extensions import db
from tests.factories import PASSWORD, UserFactory


def _login(client, email, password, addr="10.0.0.1"):
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_account_locks_after_five_failures(client, limits_on):
    client.set_cookie("locale", "en")
    user = UserFactory()
    statuses = [_login(client, user.email, "wrong password!").status_code for _ in range(5)]
    assert statuses[:4] == [422] * 4 and statuses[4] == 429, statuses
    response = _login(client, user.email, PASSWORD)  # the right password waits too
    assert response.status_code == 429
    assert "try again later" in response.text
    assert "The e-mail address or password is not right." in response.text
    assert 800 <= int(response.headers["Retry-After"]) <= 900
    # from another address the account is still locked
    assert _login(client, user.email, PASSWORD, addr="10.0.0.2").status_code == 429
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("user.login_failed") == 5 and "user.login_locked" in actions
    # another account on the same address is not locked
    other = UserFactory()
    assert _login(client, other.email, PASSWORD).status_code == 303
    print(f"\nlockout: {statuses} then 429 with the right password, "
          f"Retry-After {response.headers['Retry-After']} s")


def test_unknown_and_known_accounts_answer_alike(client, limits_on):
    client.set_cookie("locale", "en")
    user = UserFactory()
    known = [_login(client, user.email, "nope-nope-nope") for _ in range(5)][-1]
    unknown = [_login(client, "nobody@example.org", "nope-nope-nope", addr="10.0.0.9")
               for _ in range(5)][-1]
    assert known.status_code == unknown.status_code == 429
    strip = lambda r: r.text.replace(user.email, "").replace("nobody@example.org", "")  # noqa
    assert ("try again later" in strip(known)) and ("try again later" in strip(unknown))


def test_address_locks_after_many_accounts(client, limits_on):
    limits_on.update(LOGIN_LOCKOUT_ADDRESS_FAILURES=6)
    statuses = [_login(client, f"guess{n}@example.org", "wrong-wrong-1").status_code
                for n in range(6)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1], statuses
    user = UserFactory()
    assert _login(client, user.email, PASSWORD).status_code == 429
    assert _login(client, user.email, PASSWORD, addr="10.0.0.7").status_code == 303


def test_success_clears_the_account_failures(client, limits_on):
    user = UserFactory()
    for _ in range(4):
        _login(client, user.email, "wrong password!")
    assert _login(client, user.email, PASSWORD).status_code == 303
    client.post("/auth/logout")
    for _ in range(4):
        assert _login(client, user.email, "wrong password!").status_code == 422


def test_lockout_is_configurable(client, limits_on):
    limits_on.update(LOGIN_LOCKOUT_FAILURES=2, LOGIN_LOCKOUT_MINUTES=1)
    user = UserFactory()
    statuses = [_login(client, user.email, "wrong password!").status_code for _ in range(2)]
    assert statuses == [422, 429]
    assert int(_login(client, user.email, PASSWORD).headers["Retry-After"]) <= 60

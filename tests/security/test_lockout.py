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


def test_guessing_slows_the_guesser_not_the_owner(client, limits_on, outbox):
    """Issue 17: failures count per account and address; the pair waits, growing; the
    owner elsewhere logs in at once and hears of it by e-mail."""
    client.set_cookie("locale", "en")
    user = UserFactory(role="admin", locale="en")
    statuses = [_login(client, user.email, "wrong password!").status_code for _ in range(5)]
    assert statuses[:4] == [422] * 4 and statuses[4] == 429, statuses
    response = _login(client, user.email, PASSWORD)  # the guesser waits, even with it right
    assert response.status_code == 429
    assert "try again later" in response.text
    assert "The e-mail address or password is not right." in response.text
    first = int(response.headers["Retry-After"])
    assert 25 <= first <= 30
    # the owner, from another address, is not locked out
    assert _login(client, user.email, PASSWORD, addr="10.0.0.2").status_code == 303
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("user.login_failed") == 5 and "user.login_locked" in actions
    warned = [m for m in outbox if m.to == [user.email]]
    assert len(warned) == 1 and warned[0].subject == "Failed logins to your consult account"
    print(f"\nslow-down: {statuses}; the guesser waits {first} s, the owner logs in elsewhere")


def test_delays_grow_and_are_capped(client, limits_on):
    import time_machine

    limits_on.update(LOGIN_LOCKOUT_WINDOW_MINUTES=600, LOGIN_LOCKOUT_MINUTES=4)
    user = UserFactory()
    waits = []
    clock = time_machine.travel(1_900_000_000, tick=False)
    traveller = clock.start()
    try:
        for _ in range(4):
            _login(client, user.email, "wrong password!")
        for _ in range(6):  # each try made after the previous wait is over
            response = _login(client, user.email, "wrong password!")
            assert response.status_code == 429
            waits.append(int(response.headers["Retry-After"]))
            traveller.shift(waits[-1] + 1)
    finally:
        clock.stop()
    assert waits == [30, 60, 120, 240, 240, 240], waits


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
    assert int(_login(client, user.email, PASSWORD).headers["Retry-After"]) <= 30

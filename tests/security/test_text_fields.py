"""Every text field follows one rule (issue 17, class 5).

Every write route of ``url_map`` is posted, as every role, with every field name any
form of the app declares set to each payload: NUL and other control characters,
bidirectional overrides and isolates, and bodies made only of invisible characters.
No answer is a 500 (on PostgreSQL NUL used to be one), and afterwards no text column
of any table holds a control character, a bidi override, or text with nothing visible.
Runs on PostgreSQL too when ``TEST_DATABASE_URL`` points there (CI does both).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import String, Text, select

from consult.errors import ValidationFailed
from consult.extensions import db
from consult.security.input import clean_text, is_visible, normalise_text
from tests.security.test_authorization_matrix import (
    SESSION_ENDERS,
    WRITE_METHODS,
    routes,
    url_for_rule,
)
from tests.security.test_fuzz_forms import form_field_names
from tests.security.world import ROLES, fresh

VISIBLE_WITH_HIDDEN = ["路灯\x00太暗", "合理\u202e建议txt.exe", "同意\u2066隔离\u2069", "a\x1bb\x7f",
                       "建议\x85延长"]
INVISIBLE = ["\u200b\u200b", "\ufeff", "\u2060\u3000", "\u0301\u0301", "\u3164", "\u200d\u00a0",
             "\x00", " \u200e\u2800 "]
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("raw", INVISIBLE)
def test_invisible_only_answers_like_empty(raw):
    assert normalise_text(raw) == ""
    with pytest.raises(ValidationFailed):
        clean_text(raw, field="body", limit=100)


@pytest.mark.parametrize("raw", VISIBLE_WITH_HIDDEN)
def test_hidden_characters_are_removed_and_the_rest_kept(raw):
    text = clean_text(raw, field="body", limit=100)
    assert not FORBIDDEN.search(text) and any(is_visible(ch) for ch in text)


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                yield table, column


def test_every_form_field_of_every_write_route(app, client, login_as, world, capsys):
    names = [n for n in form_field_names() if n != "csrf_token"]
    writes = [(m, r) for m, r in routes(app) if m in WRITE_METHODS
              and r.endpoint not in SESSION_ENDERS]
    ids = world.ids()
    tried, errors = 0, []
    turn = 0
    for role in ROLES:
        for method, rule in writes:
            turn += 1  # one payload a route and role, every payload over the walk
            pool = VISIBLE_WITH_HIDDEN if turn % 2 else INVISIBLE
            for payload in (pool[(turn // 2) % len(pool)],):
                client.delete_cookie("session")
                if role != "visitor":
                    login_as(fresh(world.users[role]))
                try:
                    status = client.open(url_for_rule(rule, ids), method=method,
                                         data={n: payload for n in names}).status_code
                except Exception as exc:
                    status = f"{type(exc).__name__}: {str(exc)[:120]}"
                tried += 1
                if not isinstance(status, int) or status >= 500:
                    errors.append(f"{role} {method} {rule.rule} {payload!r}: {status}")
                    db.session.rollback()
    db.session.rollback()
    stored = bad = 0
    for table, column in _text_columns():
        for value in db.session.scalars(select(column).where(column.is_not(None))):
            stored += 1
            if FORBIDDEN.search(value) or (value and not any(is_visible(ch) for ch in value)):
                bad += 1
                errors.append(f"stored {table.name}.{column.name}: {value[:60]!r}")
    with capsys.disabled():
        print(f"\nform walk ({db.engine.dialect.name}): {len(writes)} write routes x "
              f"{len(names)} fields x {len(ROLES)} roles, {tried} posts of "
              f"{len(VISIBLE_WITH_HIDDEN) + len(INVISIBLE)} payloads; {stored} stored texts checked; {len(errors)} problems")
    assert not errors, "\n".join(errors[:60])

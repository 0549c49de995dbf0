"""LIKE wildcards are matched as themselves in every search (issue 17, class 7).

The walk reads the whole source: no raw ``like``/``ilike`` outside demo seeding, and
every ``contains``/``startswith``/``endswith`` on a model column escapes wildcards;
then the searches people type into are tried with ``%`` and ``_``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import consult
from tests.factories import UserFactory

RAW_LIKE = re.compile(r"\.(i?like|not_?i?like)\(")
COLUMN_MATCH = re.compile(r"[A-Z]\w*\.\w+\)?\.(contains|startswith|endswith)\(")


def _calls(text: str, start: int) -> str:
    """The call starting at ``start`` up to its closing parenthesis."""
    depth = 0
    for i in range(text.index("(", start), len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i + 1]
    return text[start:]


def test_every_substring_match_in_the_source_escapes_wildcards(capsys):
    problems, walked = [], 0
    for path in sorted(Path(consult.__file__).parent.rglob("*.py")):
        if path.name == "seed.py":
            continue
        text = path.read_text(encoding="utf-8")
        for match in RAW_LIKE.finditer(text):
            problems.append(f"{path.name}: raw {match.group(0)} (use security.search)")
        for match in COLUMN_MATCH.finditer(text):
            walked += 1
            if "autoescape=True" not in _calls(text, match.start()):
                problems.append(f"{path.name}: {_calls(text, match.start())[:80]}")
    with capsys.disabled():
        print(f"\nsearch walk: {walked} column matches in the source, {len(problems)} unescaped")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("q", ["%", "_", "\\", "a%b"])
def test_admin_user_search_takes_wildcards_literally(client, login_as, q):
    login_as(UserFactory(role="admin", display_name="管理员"))
    UserFactory(display_name="普通用户")
    literal = UserFactory(display_name=f"名字{q}里")
    page = client.get("/admin/users", query_string={"q": q}).get_data(as_text=True)
    assert "普通用户" not in page and "管理员" not in page.split("</h1>", 1)[-1].split(
        "<table", 1)[-1]
    assert literal.display_name in page

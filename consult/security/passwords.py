"""The password deny-list: a length-and-variety rule (accounts.services.check_password_rules)
plus this list of obviously common passwords shipped with the project
(``common_passwords.txt``, written for consult from well-known patterns).

A password is refused when, lower-cased, it is on the list, or it is a listed
password with digits or punctuation added at the end (``password2026!``), or one
short piece repeated (``abcabcabcabc``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

LIST = Path(__file__).with_name("common_passwords.txt")
_TRAILING = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    with LIST.open(encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    lowered = (password or "").strip().lower()
    if not lowered:
        return False
    known = common_passwords()
    if lowered in known:
        return True
    stem = _TRAILING.sub("", lowered)
    if len(stem) >= 5 and stem in known:
        return True
    # one short piece repeated: abcabcabcabc, 12341234...
    return bool(re.fullmatch(r"(.{1,4})\1+", lowered))

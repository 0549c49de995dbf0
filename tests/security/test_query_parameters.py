"""Query-string values never cause a 500 (issue 17, class 4).

Every GET route of ``url_map`` is requested as every role with every query parameter
the code reads (found in the source, so a parameter added later is walked too) set to
hostile values: integers beyond the database's range, non-ASCII digits, impossible
dates, forged keyset bookmarks and API cursors, enormous and invisible text. Then
Hypothesis mixes them. Answers are 2xx/3xx, 400, 403, 404 or 422, never 500. Runs on
PostgreSQL as well when ``TEST_DATABASE_URL`` points there.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import consult
from tests.security.test_authorization_matrix import url_for_rule
from tests.security.world import ROLES, fresh

EXAMPLES = int(os.environ.get("PARAM_FUZZ_EXAMPLES", "300"))
_READ = re.compile(r"""args(?:\.get)?(?:\(|\[)\s*["']([a-z_]+)["']""")


def known_parameters() -> list[str]:
    """Every name the code reads from a query string (``args.get("x")``, ``args["x"]``)."""
    names: set[str] = {"page", "at", "cursor", "limit", "next",  # and the audit filters
                       "actor", "action", "target_type", "target_id", "since", "until",
                       "who"}  # the workspace's "assigned to me / unassigned" (enum_arg)
    for path in Path(consult.__file__).parent.rglob("*.py"):
        names |= set(_READ.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


HOSTILE = [
    "", "0", "-1", "2147483648", "-2147483649", "9223372036854775808", "9" * 40, "1e309",
    "²", "١٢", "１２", "3.5", "0x10", " 7 ", "2026-02-30", "2026-13-01", "0000-00-00",
    "9999-12-31", "10000-01-01", "2026-1", "-2026-01", "2026-02-30T25:61", "nan",
    _b64("i:99999999999999999999~s:x"), _b64("i:1~i:2~i:3"), _b64("s:x'--"), _b64(">i:-1"),
    _b64("dt:2026-13-45"), _b64("i:2147483648"), "!!!", "a" * 5000, "\u202e\u200b\ufeff",
    _b64(json.dumps({"before": 10**30})), _b64(json.dumps({"before": "x"})),
    _b64(json.dumps({"before": -5})), _b64(json.dumps([1])), "%", "_", "\\", "'", "😀" * 50,
]


# The deterministic walk's values (Hypothesis below draws from all of them).
WALKED = [HOSTILE[i] for i in (0, 2, 3, 5, 7, 8, 9, 10, 14, 15, 17, 19, 23, 24, 25, 26, 30, 31, 32,
                               33)]


def _get_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint != "static"]


def _as(client, login_as, world, role):
    client.delete_cookie("session")
    if role != "visitor":
        login_as(fresh(world.users[role]))


def _status(client, url, query) -> int | str:
    try:
        return client.get(url, query_string=query).status_code
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:200]


def _reaching_role(client, login_as, world, url) -> str:
    """The role that gets furthest into a route (its page, not a refusal)."""
    for role in ("admin", "official_a", "evaluator", "moderator", "citizen", "visitor"):
        _as(client, login_as, world, role)
        if _status(client, url, {}) == 200:
            return role
    return "visitor"


def test_every_get_route_with_hostile_parameters(app, client, login_as, world, capsys):
    """Each GET route, as the role that reaches it, with every known parameter set to
    each hostile value; and as a visitor with the first few."""
    names = known_parameters()
    ids = world.ids()
    rules = _get_rules(app)
    tried, errors = 0, []
    for rule in rules:
        url = url_for_rule(rule, ids)
        for role, values in ((_reaching_role(client, login_as, world, url), WALKED),
                             ("visitor", HOSTILE[:8])):
            _as(client, login_as, world, role)
            for value in values:
                status = _status(client, url, {n: value for n in names})
                tried += 1
                if not isinstance(status, int) or status >= 500:
                    errors.append(f"{role} {rule.rule} all params = {value[:40]!r}: {status}")
    with capsys.disabled():
        print(f"\nquery parameter walk ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}): "
              f"{len(rules)} GET routes x {len(names)} parameters x {len(WALKED)} values, "
              f"{tried} requests, {len(errors)} server errors")
    assert not errors, "\n".join(errors[:50])


value = st.one_of(st.sampled_from(HOSTILE),
                  st.integers(min_value=-2**80, max_value=2**80).map(str),
                  st.dates().map(str), st.text(max_size=20),
                  st.binary(max_size=24).map(lambda b: base64.urlsafe_b64encode(b).decode()))


def test_hypothesis_mixes_parameters(app, client, login_as, world):
    names = known_parameters()
    ids = world.ids()
    urls = [url_for_rule(rule, ids) for rule in _get_rules(app)]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(url=st.sampled_from(urls), role=st.sampled_from(ROLES),
           query=st.dictionaries(st.sampled_from(names), value, max_size=6))
    def run(url, role, query):
        _as(client, login_as, world, role)
        status = _status(client, url, query)
        assert isinstance(status, int) and status < 500, f"{role} {url} {query!r}: {status}"

    run()

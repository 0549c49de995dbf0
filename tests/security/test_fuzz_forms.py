"""Hypothesis drives every form and API parameter: random values (huge and negative
numbers, malformed dates, control and non-BMP characters, very long text, repeated
keys) for every field name of every form in the app, posted to every write route and
sent as query parameters to every read route, as every role. Zero 500s.

Bounded: a fixed number of examples (FUZZ_EXAMPLES, default 400 per test) and no
shrinking database, so the file runs in well under a minute.
"""

from __future__ import annotations

import os

from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_authorization_matrix import (
    SESSION_ENDERS,
    WRITE_METHODS,
    routes,
    url_for_rule,
)
from tests.security.world import ROLES

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "400"))
QUERY_PARAMS = ["page", "sort", "q", "show", "status", "department", "tag", "role", "action",
                "next", "title", "actor", "object", "date_from", "date_to", "from", "to",
                "kind", "format", "locale", "consultation", "round", "per_page", "limit"]
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                HealthCheck.too_slow],
                         derandomize=True)


def form_field_names() -> list[str]:
    import consult.models  # noqa: F401 - every domain's forms imported with its views
    names: set[str] = {"csrf_token"}
    pending = list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        for attr in dir(cls):
            field = getattr(cls, attr, None)
            if hasattr(field, "field_class"):  # an UnboundField
                names.add(attr)
    return sorted(names)


values = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.sampled_from(["", " ", "0", "-1", "1", "2", "999999999999", "1e309", "nan", "inf",
                     "true", "false", "on", "null", "2026-13-45", "2026-02-30T25:61",
                     "9999-12-31", "0000-00-00", "../../etc/passwd", "%00", "\x00",
                     "<script>alert(1)</script>", "javascript:alert(1)", "http://evil.example/",
                     "//evil.example", "a" * 20000, "中" * 5000, "😀" * 300, "\u202e\u200b",
                     "support", "oppose", "abstain", "admin", "official", "zh_CN", "en"]),
)


def fields_strategy(names):
    return st.dictionaries(st.sampled_from(names), st.one_of(values, st.lists(values, max_size=3)),
                           max_size=8)


def test_fuzz_every_write_route(app, client, login_as, world):
    names = form_field_names()
    writes = [(m, r) for m, r in routes(app) if m in WRITE_METHODS
              and r.endpoint not in SESSION_ENDERS]
    ids = world.ids()
    seen = {"requests": 0, "statuses": {}}

    @FUZZ_SETTINGS
    @given(route=st.sampled_from(writes), role=st.sampled_from(ROLES),
           data=fields_strategy(names))
    def run(route, role, data):
        method, rule = route
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.users[role])
        response = client.open(url_for_rule(rule, ids), method=method, data=data)
        seen["requests"] += 1
        seen["statuses"][response.status_code] = seen["statuses"].get(response.status_code, 0) + 1
        assert response.status_code < 500, f"{role} {method} {rule.rule} {data!r}"

    run()
    print(f"\nfuzz writes: {seen['requests']} requests over {len(writes)} routes, "
          f"{len(names)} field names; 0 server errors; statuses "
          f"{dict(sorted(seen['statuses'].items()))}")


def test_fuzz_every_read_route(app, client, login_as, world):
    reads = [(m, r) for m, r in routes(app) if m == "GET" and r.endpoint != "static"]
    ids = world.ids()
    seen = {"requests": 0, "statuses": {}}

    @FUZZ_SETTINGS
    @given(route=st.sampled_from(reads), role=st.sampled_from(ROLES),
           query=fields_strategy(QUERY_PARAMS),
           htmx=st.booleans())
    def run(route, role, query, htmx):
        _, rule = route
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.users[role])
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url_for_rule(rule, ids), query_string=query, headers=headers)
        seen["requests"] += 1
        seen["statuses"][response.status_code] = seen["statuses"].get(response.status_code, 0) + 1
        assert response.status_code < 500, f"{role} GET {rule.rule} {query!r}"

    run()
    print(f"\nfuzz reads: {seen['requests']} requests over {len(reads)} routes; "
          f"0 server errors; statuses {dict(sorted(seen['statuses'].items()))}")


def test_fuzz_path_segments(client):
    """Odd ids and slugs in paths: 404 or a page, never 500."""
    from urllib.parse import quote

    @settings(max_examples=150, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(segment=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                           max_size=40))
    def run(segment):
        for template in ("/rounds/{}", "/departments/{}", "/suggestions/{}",
                         "/auth/verify/{}", "/auth/reset/{}", "/consultations/{}/versions/{}"):
            url = template.replace("{}", quote(segment, safe=""))
            response = client.get(url)
            assert response.status_code < 500, (url, segment)

    run()

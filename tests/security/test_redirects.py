"""Redirect targets stay on the site (issue 17, class 1).

``consult.security.redirects.safe_target`` is the one decision. Hypothesis feeds it
control characters, whitespace of every kind, percent-encoded and full-width forms,
backslashes, schemes and look-alike hosts; whatever it accepts must resolve, the way a
browser resolves a ``Location``, to this host. Then every route of ``url_map`` is
requested with hostile ``next`` values (query and form) as a visitor, a citizen and a
moderator: no ``Location`` header may leave the site.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.security.redirects import is_safe_target, safe_target
from tests.security.test_authorization_matrix import SESSION_ENDERS, routes, url_for_rule

HOST = "consult.test"
BASE = f"https://{HOST}/c/some/page"


def _browser_hosts(location: str) -> set[str]:
    """Hosts a browser (or a lenient proxy) might resolve ``location`` to."""
    text = location.translate(str.maketrans("", "", "\t\n\r"))
    text = text.strip("".join(chr(c) for c in range(0x21))).replace("\\", "/")
    forms = {text, unquote(text), unquote(unquote(text))}
    forms |= {unicodedata.normalize("NFKC", f).replace("\\", "/") for f in forms}
    hosts = set()
    for form in forms:
        try:
            hosts.add(urlsplit(urljoin(BASE, form)).netloc or HOST)
        except ValueError:
            hosts.add("unparseable")
    return hosts


SEPARATORS = "\t\n\r\x0b\x0c \x00\x1f\x7f\u00a0\u1680\u2000\u200b\u200e\u202e\u2028\u3000\ufeff"
SLASHES = ["/", "\\", "%2f", "%2F", "%5c", "%252f", "／", "＼", "\u2044", "\u2215", "﹨"]
HOSTS = ["evil.example", "еvil.example", "xn--vil-8cd.example", "127.0.0.1", "[::1]",
         "ｅｖｉｌ.example", "evil.example@consult.test", "consult.test.evil.example"]
SCHEMES = ["", "http:", "https:", "HTTPS:", "javascript:", "data:", "jav\tascript:", "ｈttp:",
           "//", "http%3a"]

piece = st.one_of(st.sampled_from(SLASHES), st.sampled_from(list(SEPARATORS)),
                  st.sampled_from(HOSTS), st.sampled_from(SCHEMES),
                  st.text(max_size=4), st.sampled_from(["c", "me", "?x=1", "#top", "."]))
hostile = st.lists(piece, min_size=1, max_size=7).map("".join)


@settings(max_examples=1500, deadline=None, database=None, derandomize=True)
@given(target=st.one_of(hostile, st.text(max_size=30), st.from_regex(r"\A/[ -~]{0,20}\Z")))
def test_accepted_targets_resolve_to_this_host(target):
    chosen = safe_target(target, "/fallback")
    assert _browser_hosts(chosen) == {HOST}, (target, chosen)
    assert chosen.startswith("/") and not chosen.startswith(("//", "/\\"))


@pytest.mark.parametrize("target", [
    "/", "/c/road-safety", "/c/road-safety?page=2#comments", "/me/", "/search?q=路灯",
    "/c/%E8%B7%AF%E7%81%AF", "/auth/login?next=%2Fme%2F",
])
def test_ordinary_paths_are_kept(target):
    assert safe_target(target, "/fallback") == target


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "\\/evil.example", "/\t/evil.example",
    "/\n/evil.example", " //evil.example", "\x00//evil.example", "/%2F/evil.example",
    "/%2f%2fevil.example", "/／evil.example", "／／evil.example", "https://evil.example/",
    "javascript:alert(1)", "/\u2215evil.example", "%2F%2Fevil.example", "/\u200b/evil.example",
    "evil.example", "", None, "/" + "a" * 3000,
])
def test_targets_that_leave_or_hide_are_refused(target):
    assert not is_safe_target(target)
    assert safe_target(target, "/fallback") == "/fallback"


WALK_TARGETS = ["/\t/evil.example", "/\\evil.example", "//evil.example/%2e%2e",
                "/%2F%2Fevil.example", "https:evil.example", "／／evil.example",
                "\x01//evil.example", "/\u3000/evil.example"]


def test_no_route_redirects_off_site(app, client, login_as, world, capsys):
    """Every route in url_map, every method, as three roles, with a hostile target in the
    query string and in the form: every ``Location`` stays on this host. A route that
    redirects at all is tried with every hostile target."""
    from tests.security.world import fresh

    tried = redirecting = 0
    ids = world.ids()
    offsite = []

    def attempt(role, method, rule, target):
        client.delete_cookie("session")
        if role != "visitor":
            login_as(fresh(world.users[role]))
        data = {"next": target, "locale": "en", "reason": "spam",
                "body": "好的。"} if method != "GET" else None
        response = client.open(url_for_rule(rule, ids), method=method,
                               query_string={"next": target}, data=data,
                               base_url=f"https://{HOST}")
        location = response.headers.get("Location")
        if location is not None and _browser_hosts(location) != {HOST}:
            offsite.append(f"{role} {method} {rule.rule} {target!r} -> {location!r}")
        return location is not None

    for role in ("visitor", "citizen", "moderator"):
        for method, rule in routes(app):
            if rule.endpoint in SESSION_ENDERS:
                continue
            tried += 1
            if attempt(role, method, rule, WALK_TARGETS[0]):
                redirecting += 1
                for target in WALK_TARGETS[1:]:
                    tried += 1
                    attempt(role, method, rule, target)
    with capsys.disabled():
        print(f"\nredirect walk: {tried} requests (every route x method x 3 roles; "
              f"{redirecting} redirecting ones x {len(WALK_TARGETS)} targets), "
              f"{len(offsite)} off-site redirects")
    assert not offsite, "\n".join(offsite)


def test_login_with_a_hostile_next_lands_on_the_site(app, client):
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    for target in WALK_TARGETS:
        client.delete_cookie("session")
        response = client.post("/auth/login", data={
            "email": user.email, "password": PASSWORD, "next": target})
        assert response.status_code == 303
        assert response.headers["Location"] == "/me/"

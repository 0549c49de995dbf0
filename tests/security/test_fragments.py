"""A fragment only to htmx (issue 17, class 7): every GET route of ``url_map``, asked
for without ``HX-Request`` as every role, answers a full page (or a redirect, a file,
JSON), never a bare fragment."""

from __future__ import annotations

from tests.security.test_authorization_matrix import url_for_rule
from tests.security.world import ROLES, fresh


def test_no_bare_fragment_without_hx_request(app, client, login_as, world, capsys):
    ids = world.ids()
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    bare, pages = [], 0
    for role in ROLES:
        client.delete_cookie("session")
        if role != "visitor":
            login_as(fresh(world.users[role]))
        for rule in rules:
            response = client.get(url_for_rule(rule, ids))
            if response.mimetype != "text/html" or response.status_code in (204, 301, 302, 303):
                continue
            pages += 1
            if "<!doctype html>" not in response.get_data(as_text=True)[:200].lower():
                bare.append(f"{role} {rule.rule} {response.status_code}")
    with capsys.disabled():
        print(f"\nfragment walk: {len(rules)} GET routes x {len(ROLES)} roles, {pages} HTML "
              f"answers, {len(bare)} bare fragments")
    assert not bare, "\n".join(bare)

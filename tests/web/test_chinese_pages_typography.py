"""Every GET page, in Chinese, as a visitor, a citizen, an official and an administrator:
no ASCII punctuation next to a Chinese character in what the reader sees or hears
(text and control labels; user-written text is theirs). Catches joins in templates
("修改内容: …", "意见(3)") that the catalogue test cannot see."""

from __future__ import annotations

import pytest

from tests.security.test_hardening import _get_urls
from tests.security.world import build_world
from tests.typography import half_width_after_cjk, visible_text

ROLES = ("visitor", "citizen", "official_a", "admin")


@pytest.fixture
def world(app):
    return build_world()


def test_no_half_width_punctuation_next_to_chinese_on_any_page(app, client, login_as, world):
    client.set_cookie("locale", "zh_CN")
    bad, seen = {}, 0
    for role in ROLES:
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.users[role])
        for _endpoint, url in _get_urls(app, world.ids()):
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            seen += 1
            for spot in half_width_after_cjk(visible_text(response.text)):
                bad.setdefault(spot, f"{role} {url}")
    assert seen > 60, seen  # the walk reached the pages
    assert not bad, "ASCII punctuation in Chinese text:\n" + "\n".join(
        f"{where}: …{spot}…" for spot, where in sorted(bad.items(), key=lambda kv: kv[1]))

"""The page header and footer of every page are kept in the page cache
(consult.templating.site_header, site_footer) under a key of everything they show: each
reader still gets the header for their address, display mode, rights and unread count,
with their own CSRF token in its forms, whatever way those changed."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import update

from consult import pagecache, templating
from consult.accounts.models import Role, RoleAssignment, User
from consult.extensions import db
from tests.factories import UserFactory

TEMPLATES = Path(templating.__file__).parent / "templates"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def header(text: str) -> str:
    return text[text.index('<a class="skip-link"'):text.index('<div id="live"')]


def test_every_permission_the_header_asks_is_in_its_key():
    asked = set()
    for name in ("_site_header.html", "_nav_items.html"):
        asked |= set(re.findall(r"""can\(['"]([\w.]+)['"]""", (TEMPLATES / name).read_text()))
    assert asked and asked <= set(templating.NAV_RULES)


def test_the_header_follows_the_address_the_display_mode_and_the_language(client):
    home = header(client.get("/").text)
    listing = header(client.get("/consultations/").text)
    assert 'aria-current="page"' not in home
    assert 'aria-current="page">' in listing and 'name="next" value="/consultations/"' in listing
    assert 'name="next" value="/consultations/?page=2"' in header(
        client.get("/consultations/?page=2").text)
    client.set_cookie("display", "elder")
    assert 'aria-pressed="true"' in header(client.get("/consultations/").text)
    client.set_cookie("locale", "en")
    assert "Log in" in header(client.get("/consultations/").text)


def test_each_reader_gets_their_own_rights_count_and_token(app, client, login_as,
                                                          monkeypatch):
    app.config["WTF_CSRF_ENABLED"] = True
    rendered = []
    keep = pagecache.fragment
    monkeypatch.setattr(pagecache, "fragment", lambda name, key, render, **kw: keep(
        name, key, lambda: rendered.append(name) or render(), **kw))
    reader = login_as(UserFactory())
    first = header(client.get("/").text)
    # (the same header but each request's token: a token carries the time it was signed)
    assert TOKEN.sub("", header(client.get("/").text)) == TOKEN.sub("", first)
    assert rendered.count("site-header") == 1
    assert "badge" not in first and "/admin/" not in first
    db.session.execute(update(User).where(User.id == reader.id).values(unread_notifications=3))
    db.session.commit()
    counted = header(client.get("/").text)
    assert '<span class="badge" aria-hidden="true">3</span>' in counted
    db.session.add(RoleAssignment(user_id=reader.id, role=Role.ADMIN))
    db.session.commit()
    assert "/admin/" in header(client.get("/").text)
    # another reader with the same rights and count shares the kept header, not its token
    other = app.test_client()
    twin = UserFactory()
    db.session.execute(update(User).where(User.id == twin.id).values(unread_notifications=3))
    db.session.commit()
    with other.session_transaction() as session:
        session["_user_id"] = twin.get_id()
        session["_fresh"] = True
    rendered.clear()
    theirs, mine = header(other.get("/").text), header(client.get("/").text)
    assert "/admin/" not in theirs and "3</span>" in theirs
    # both kept: the twin's, as the first reader's was at the same count and rights
    assert rendered.count("site-header") == 0
    assert set(TOKEN.findall(theirs)).isdisjoint(TOKEN.findall(mine))
    # the token each is given is their own: their logout form works
    token = TOKEN.search(theirs).group(1)
    assert other.post("/auth/logout", data={"csrf_token": "x" + token}).status_code == 400
    assert other.post("/auth/logout", data={"csrf_token": token}).status_code in (302, 303)


def test_the_footer_is_the_same_for_every_reader_in_one_language(app, client, login_as):
    app.config["SITE_CONTACT_PHONE"] = "010-12345678"
    text = client.get("/").text
    footer = text[text.index('<footer class="site-footer">'):]
    assert "010-12345678" in footer
    login_as(UserFactory())
    text = client.get("/consultations/").text
    assert text[text.index('<footer class="site-footer">'):] == footer

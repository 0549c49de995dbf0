"""The footer names who runs the site and links its contact, privacy and accessibility
pages; their details come from the settings, with defaults in the reader's language."""

from __future__ import annotations

import re
from html import unescape

import pytest

PAGES = ("/about/contact", "/about/privacy", "/about/accessibility")


def text(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def footer(page: str) -> str:
    return page[page.index('<footer class="site-footer">'):]


@pytest.mark.parametrize("path", ["/", "/consultations/", *PAGES])
def test_every_page_footer_links_the_three_pages(client, path):
    page = client.get(path).text
    for target in PAGES:
        assert f'href="{target}"' in footer(page), target


@pytest.mark.parametrize("path", PAGES)
def test_pages_use_the_operator_settings(app, client, path):
    app.config.update(SITE_OWNER="某市司法局", SITE_CONTACT_EMAIL="yijian@example.gov.cn",
                      SITE_CONTACT_PHONE="010-12345678", SITE_CONTACT_ADDRESS="某市某路1号")
    client.set_cookie("locale", "zh_CN")
    page = client.get(path)
    assert page.status_code == 200
    body = text(page)
    assert "某市司法局" in body and "yijian@example.gov.cn" in body
    assert "主办单位：某市司法局" in text_footer(page)


def text_footer(response) -> str:
    return unescape(re.sub(r"<[^>]+>", "", footer(response.get_data(as_text=True))))


@pytest.mark.parametrize("locale, owner, unset", [
    ("zh_CN", "主办单位：本网站运营单位", "尚未公布"),
    ("en", "Site owner: the operator of this site", "not published yet")])
def test_defaults_are_translated_when_nothing_is_set(client, locale, owner, unset):
    client.set_cookie("locale", locale)
    page = client.get("/about/contact")
    assert owner in text_footer(page)
    assert unset in text(page)

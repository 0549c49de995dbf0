"""The linkify filter: everything escaped, only http(s) URLs become links."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from consult.security.sanitize import linkify

REL = 'rel="nofollow ugc noopener"'


def test_plain_text_is_escaped():
    assert linkify("<b>粗体</b> & 'x'") == "&lt;b&gt;粗体&lt;/b&gt; &amp; &#39;x&#39;"
    assert isinstance(linkify("x"), Markup)
    assert linkify(None) == "" and linkify("") == ""


def test_http_and_https_become_safe_links():
    assert linkify("见 https://example.org/a?b=1&c=2 谢谢") == (
        f'见 <a href="https://example.org/a?b=1&amp;c=2" {REL}>'
        "https://example.org/a?b=1&amp;c=2</a> 谢谢")
    assert f'<a href="http://gov.cn" {REL}>' in linkify("http://gov.cn")


def test_chinese_text_and_sentence_punctuation_end_the_link():
    out = linkify("请看https://gov.cn/p/1。谢谢，或(https://a.org/x)。")
    assert f'<a href="https://gov.cn/p/1" {REL}>https://gov.cn/p/1</a>。谢谢' in out
    assert f'(<a href="https://a.org/x" {REL}>https://a.org/x</a>)。' in out


def test_balanced_parentheses_stay_in_the_url():
    out = linkify("https://en.wikipedia.org/wiki/Foo_(bar)")
    assert 'href="https://en.wikipedia.org/wiki/Foo_(bar)"' in out


@pytest.mark.parametrize("hostile", [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)//http://x.org",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "//evil.example/path",
    "ftp://files.example.org/x",
    "http://",
    "https://localhost",
])
def test_hostile_input_never_produces_markup_or_other_schemes(hostile):
    out = str(linkify(hostile))
    for tag in ("<script", "<img", "<a href=\"javascript", "<a href=\"data", "<a href=\"ftp",
                "<a href=\"//"):
        assert tag not in out.lower()
    if "<a " in out:
        assert out.count("<a ") == 1 and 'href="http' in out and REL in out


def test_quotes_and_brackets_cannot_break_out_of_the_attribute():
    out = str(linkify('https://x.org/"onmouseover="alert(1) https://y.org/<script>'))
    assert f'<a href="https://x.org/" {REL}>https://x.org/</a>&#34;onmouseover=&#34;' in out
    assert f'<a href="https://y.org/" {REL}>https://y.org/</a>&lt;script&gt;' in out


def test_userinfo_and_odd_hosts():
    out = str(linkify("https://user:pw@evil.example/x https://[::1]/ http://a..b"))
    assert 'href="https://user:pw@evil.example/x"' in out  # shown in full, nothing hidden
    assert "href=\"https://[::1]" not in out


def test_very_long_urls_stay_text():
    url = "https://example.org/" + "a" * 3000
    assert "<a " not in str(linkify(url))

"""Every user-visible string in a template goes through gettext.

Each .html template is lexed with Jinja's own lexer; everything that is not plain
template data ({{ … }}, {% … %}, comments) becomes a placeholder without letters, and
the rest is parsed as HTML. Text nodes and the values of the attributes people see or
hear (title, aria-label, placeholder, alt, value of buttons) must not contain letters
(Latin or CJK) — those belong in {{ _("…") }}. Script and style contents are skipped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2] / "consult"
TEMPLATES = sorted(p for p in ROOT.rglob("templates/**/*.html"))
LETTERS = re.compile(r"[A-Za-z\u3400-\u9fff]")
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description",
                      "aria-roledescription", "aria-valuetext"}
# Brand names, codes and symbols that are the same in every language.
ALLOWED = {"consult", "htmx", "csv", "csv.", "json", "api", "id", "url", "https://", "http://",
           "english", "简体中文", "zh", "en", "n", "rss", "pdf", "ok", "×", "a", "b", "©"}  # "n": sample size
PLACEHOLDER = "\x00"


def _plain(source: str, env: Environment) -> str:
    """The template with every Jinja construct replaced by a letterless placeholder."""
    parts: list[str] = []
    inside = False
    for _lineno, kind, value in env.lex(source):
        if kind == "data":
            parts.append(value)
            inside = False
        elif not inside:
            parts.append(PLACEHOLDER)
            inside = True
    return "".join(parts)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0
        self._hidden: list[str] = []  # an aria-hidden decoration (a logo mark) and its depth

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        if self._hidden and tag == self._hidden[0]:
            self._hidden.append(tag)
        elif not self._hidden and attributes.get("aria-hidden") == "true":
            self._hidden.append(tag)
        for name, value in attrs:
            shown = name in VISIBLE_ATTRIBUTES or (
                tag == "input" and name == "value"
                and attributes.get("type") in ("submit", "button", "reset"))
            if shown and value:
                self._check(value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if self._hidden and tag == self._hidden[0]:
            self._hidden.pop()

    def handle_data(self, data):
        if not self._skip and not self._hidden:
            self._check(data)

    def _check(self, text: str) -> None:
        for piece in text.split(PLACEHOLDER):
            piece = piece.strip()
            if not LETTERS.search(piece):
                continue
            words = [w for w in re.split(r"[\s()\[\]:;,/·|=]+", piece.lower()) if w]
            if all(w in ALLOWED or not LETTERS.search(w) for w in words):
                continue
            self.found.append((self.getpos()[0], piece[:80]))


def untranslated(source: str, env: Environment) -> list[tuple[int, str]]:
    parser = _Visible()
    parser.feed(_plain(source, env))
    parser.close()
    return parser.found


@pytest.fixture(scope="module")
def env():
    # Lexing needs only the delimiters (Flask's defaults) and the i18n tags.
    return Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"])


def test_the_check_finds_what_it_should(env):
    bad = ('<h1>Hello</h1><p title="Tip {{ x }}">{{ _("ok") }} 你好</p><img alt="Logo">'
           '<input type="submit" value="Send"><span aria-hidden="true">议</span> after')
    good = ('<h1>{{ _("Hello") }}</h1><a title="{{ _("Tip") }}" href="/x">{{ n }}</a>'
            '<script>var a = "text";</script>{# Note #}<span>consult · 12:30 (CSV)</span>'
            '{% if a %}<b>{{ _("Yes") }}</b>{% endif %}'
            '<button name="direction" value="up">{{ _("Up") }}</button>')
    assert [t for _, t in untranslated(bad, env)] == ["Hello", "Tip", "你好", "Logo", "Send",
                                                   "after"]
    assert untranslated(good, env) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_strings_go_through_gettext(path, env):
    found = untranslated(path.read_text(encoding="utf-8"), env)
    assert not found, "\n".join(f"{path.relative_to(ROOT)}:{line}: {text!r}"
                                for line, text in found)

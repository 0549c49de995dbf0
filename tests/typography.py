"""Chinese typography: ASCII punctuation written next to Chinese characters.

In Chinese text, commas, colons, question marks and brackets are full-width
（，：？（）); "意见(3)" or "截止:" read as a foreign text. The check is shared by the
catalogue test and the rendered-pages walk."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
# A Chinese character, then ASCII punctuation (spaces between allowed), or the reverse.
# A full stop after ASCII text ("example.org") is not Chinese punctuation; "." after a
# Chinese character is.
# Text nodes are joined with a line break; an inline element ("问题 <span>(3)</span>") splits
# one line of text into two nodes, so after a Chinese character a line break counts as a
# space (not before one: a closing bracket ends many a table cell before the next).
BAD = re.compile(rf"[{CJK}]\s*(?:[,:;?!()]|\.(?![A-Za-z0-9]))|[,:;?!()][ \t]*[{CJK}]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def half_width_after_cjk(text: str) -> list[str]:
    """The spots (with a little context) where ASCII punctuation touches Chinese."""
    return [(text[max(0, m.start() - 10):m.start()] + "⟦" + m.group() + "⟧"
             + text[m.end():m.end() + 10]).replace("\n", " ⏎ ") for m in BAD.finditer(text)]


class _Text(HTMLParser):
    """The text a reader sees or hears: text nodes and the labels of controls, without
    scripts, styles, the contents of inputs and user-written text (``user-text``)."""

    SKIP = {"script", "style", "textarea", "pre", "code"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: whether it hides its text
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = (tag in self.SKIP or "user-text" in (attrs.get("class") or "").split()
                or (self.stack and self.stack[-1]))
        if not skip:
            for name in ("aria-label", "title", "placeholder", "alt"):
                if attrs.get(name):
                    self.parts.append(unescape(attrs[name]))
        if tag not in self.VOID:
            self.stack.append(bool(skip))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(p for p in (" ".join(part.split()) for part in parser.parts) if p)

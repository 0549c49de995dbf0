"""Plain text made safe for HTML: everything escaped, http(s) URLs turned into links.

User text (comments, questions, answers) is never trusted as HTML. ``linkify``
escapes all of it and wraps only well-formed ``http``/``https`` URLs in
``<a rel="nofollow ugc noopener">``; any other scheme (``javascript:``, ``data:``)
stays inert text. Line breaks are kept by CSS (``white-space: pre-line``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

LINK_REL = "nofollow ugc noopener"
MAX_LINK_LENGTH = 2000
# ASCII URL characters only: Chinese text right after a URL ("见https://a.b/c。谢谢")
# ends the link; quotes and angle brackets always end it.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]"


def _trim(url: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, keeping balanced brackets."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        if url[-1] == "]" and url.count("[") >= url.count("]"):
            break
        url = url[:-1]
    return url


def _is_safe(url: str) -> bool:
    if len(url) > MAX_LINK_LENGTH:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme.lower() in ("http", "https") and bool(host) and "." in host.strip(".")


def linkify(text: str | None) -> Markup:
    """Escape ``text`` and turn its http(s) URLs into safe links."""
    if not text:
        return Markup("")
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url = _trim(match.group(0))
        if not _is_safe(url):
            continue
        start, end = match.start(), match.start() + len(url)
        out.append(str(escape(text[pos:start])))
        out.append(f'<a href="{escape(url)}" rel="{LINK_REL}">{escape(url)}</a>')
        pos = end
    out.append(str(escape(text[pos:])))
    # every piece is escaped above (bandit B704 reviewed)
    return Markup("".join(out))  # nosec B704

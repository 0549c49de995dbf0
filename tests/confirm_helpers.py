"""Irreversible actions ask for confirmation: a post without it answers the confirmation
page (nothing done); its button posts the same fields again with a signed token."""

from __future__ import annotations

import html
import re

TOKEN = re.compile(r'name="confirm" value="([^"]+)"')


def confirmation_of(response) -> str | None:
    """The signed confirmation on a confirmation page, None on any other answer."""
    if response.status_code != 200:
        return None
    found = TOKEN.search(response.text)
    return html.unescape(found.group(1)) if found else None


def confirmed_post(client, url, data=None, **kwargs):
    """Post as a browser without JavaScript does: the form, then "Yes" on the
    confirmation page. Returns the last answer (the first when it asked nothing)."""
    data = dict(data or {})
    first = client.post(url, data=data, **kwargs)
    token = confirmation_of(first)
    if token is None:
        return first
    return client.post(url, data={**data, "confirm": token}, **kwargs)

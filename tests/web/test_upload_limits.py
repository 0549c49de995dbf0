"""The body limit of the views that take files: one upload (plus its form) with CSRF
protection on, which reads the form before any view runs; every other view keeps the app's
small limit. One mechanism (``uploads.takes_files``, read by the app's ``Request``), and a
walk over every view that reads an uploaded file."""

from __future__ import annotations

import inspect
import io
import re

import pytest

from consult import uploads
from consult.participation.models import Comment
from tests.files import PDF, post_big
from tests.web.test_channels_pages import count, letter_form, open_round


def token_of(client, url: str) -> str:
    page = client.get(url)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


def test_a_file_over_the_form_limit_is_accepted_with_csrf_on(app, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    r, _dept, official = open_round()
    login_as(official)
    url = f"/manage/rounds/{r.id}/ledger/new"
    three_mb = PDF + b"0" * (3 * 1024 * 1024)
    assert len(three_mb) > app.config["MAX_CONTENT_LENGTH"]
    resp = post_big(client, url, letter_form(csrf_token=token_of(client, url),
                                             file=(io.BytesIO(three_mb), "scan.pdf")))
    assert resp.status_code == 303
    assert count(Comment) == 1 and count(uploads.Upload) == 1


def test_beyond_one_upload_and_on_other_forms_the_small_limit_holds(app, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    r, _dept, official = open_round()
    login_as(official)
    url = f"/manage/rounds/{r.id}/ledger/new"
    too_big = PDF + b"0" * (app.config["UPLOAD_MAX_BYTES"] + uploads.FORM_ALLOWANCE)
    resp = post_big(client, url, letter_form(csrf_token=token_of(client, url),
                                             file=(io.BytesIO(too_big), "scan.pdf")))
    assert resp.status_code == 413
    # A view that takes no file: the app's limit, before CSRF or the view read anything.
    resp = post_big(client, "/me/profile", {"display_name": "x" * (3 * 1024 * 1024)})
    assert resp.status_code == 413
    assert count(Comment) == 0 and count(uploads.Upload) == 0


def _reads_files(view) -> bool:
    source = inspect.getsource(inspect.unwrap(view))
    return "request.files" in source or "uploads.receive(" in source


def test_every_view_that_reads_a_file_is_marked_and_only_those(app):
    reading = {name for name, view in app.view_functions.items() if _reads_files(view)}
    marked = {name for name, view in app.view_functions.items()
              if getattr(view, "takes_files", False)}
    assert reading, "the walk found no upload view: it would pass vacuously"
    assert reading == marked


@pytest.mark.parametrize("limit", [1024, 4096])
def test_the_upload_limit_follows_the_setting(app, limit):
    app.config["UPLOAD_MAX_BYTES"] = limit
    view = next(name for name, v in app.view_functions.items()
                if getattr(v, "takes_files", False))
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == view)
    path = re.sub(r"<[^>]+>", "1", rule.rule)
    with app.test_request_context(path, method="POST"):
        from flask import request
        assert request.max_content_length == limit + uploads.FORM_ALLOWANCE
    with app.test_request_context("/consultations/", method="POST"):
        from flask import request
        assert request.max_content_length == app.config["MAX_CONTENT_LENGTH"]

"""A file's size as people read it: never "0.0 KB" for a tiny file, megabytes from one."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from consult.templating import file_size


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0.1 KB"), (13, "0.1 KB"), (1024, "1 KB"), (1536, "1.5 KB"),
    (1024 * 1024 - 1, "1,024 KB"), (1024 * 1024, "1 MB"), (int(2.25 * 1024 * 1024), "2.2 MB"),
])
def test_sizes_in_english(app, size, shown):
    with app.test_request_context(), force_locale("en"):
        assert file_size(size) == shown


def test_the_page_shows_it_through_the_filter(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert app.jinja_env.from_string("{{ 13|file_size }}").render() == "0.1 KB"

"""WTForms' own messages (a required field, a number that is not one) come in the page's
language, from a catalog read once per locale, not once per request."""

import pytest
from babel import support
from flask import g
from wtforms import IntegerField
from wtforms.validators import DataRequired

from consult.web import BaseForm


class NumberForm(BaseForm):
    number = IntegerField("number", validators=[DataRequired()])


def errors_in(app, language: str) -> list[str]:
    with app.test_request_context("/", method="POST", data={"number": "x"},
                                  headers={"Accept-Language": language}):
        g.__dict__.clear()  # the test's app context keeps ``g`` (and the locale) between requests
        form = NumberForm(meta={"csrf": False})
        assert not form.validate()
        return form.errors["number"]


@pytest.mark.parametrize(("language", "message"), [
    ("zh-CN", "该字段是必填字段。"), ("en", "This field is required.")])
def test_built_in_messages_follow_the_page_language(app, language, message):
    assert errors_in(app, language) == [message]


def test_each_locale_catalog_is_read_once(app, monkeypatch):
    reads = []
    load = support.Translations.load

    def counted(*args, **kwargs):
        reads.append(kwargs.get("domain"))
        return load(*args, **kwargs)

    monkeypatch.setattr("consult.web._WTFORMS_CATALOGS", {})
    monkeypatch.setattr(support.Translations, "load", counted)
    for _ in range(3):
        errors_in(app, "zh-CN")
        errors_in(app, "en")
    assert reads.count("wtforms") == 2


def test_turned_off_they_stay_in_english(app):
    app.config["WTF_I18N_ENABLED"] = False
    assert errors_in(app, "zh-CN") == ["This field is required."]

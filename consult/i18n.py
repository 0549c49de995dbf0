"""Locale and time zone selection, formatting helpers for templates."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

from babel import Locale, dates, support
from flask import current_app, has_app_context, has_request_context, request
from flask_babel import Domain, format_datetime, get_locale, get_timezone, get_translations
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from consult.clock import now
from consult.operator_locale import in_cli, operator_locale

LOCALE_COOKIE = "locale"
LOCALE_NAMES = {"zh_CN": "简体中文", "en": "English"}
# The zones people of our audience actually pick from; any IANA zone is accepted.
COMMON_TIMEZONES = (
    "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Tokyo", "Asia/Singapore",
    "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC",
)


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def is_valid_timezone(name: str) -> bool:
    return name in _all_timezones()


_TZ_CACHE: set[str] = set()


def _all_timezones() -> set[str]:
    if not _TZ_CACHE:
        _TZ_CACHE.update(available_timezones())
    return _TZ_CACHE


@cache
def _parsed(name: str) -> Locale:
    return Locale.parse(name)


def select_locale() -> Locale:
    """Flask-Babel's locale selector, as a parsed Locale: Flask-Babel would parse a name
    on every request, and Babel checks a name against its ~1,000 locale identifiers one by
    one (0.25 ms a time, twice a request)."""
    return _parsed(_select_locale_name())


def _select_locale_name() -> str:
    """Saved user choice, then the cookie, then Accept-Language, then zh_CN. Outside a
    request: the operator's language in a ``flask`` command (consult.operator_locale),
    else zh_CN."""
    if not has_request_context():
        if in_cli():
            return operator_locale()
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    locales = supported_locales()
    user = current_user if current_user else None
    if user is not None and user.is_authenticated and user.locale in locales:
        return user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in locales:
        return cookie
    best = request.accept_languages.best_match(
        ["zh_CN", "zh", "zh-CN", "zh-Hans", "en", "en-US", "en-GB"]
    )
    if best:
        return "en" if best.startswith("en") else "zh_CN"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    user = current_user if current_user else None
    if user is not None and user.is_authenticated and user.timezone:
        return user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def html_lang(locale: str) -> str:
    return "zh-Hans-CN" if locale.startswith("zh") else locale


def relative(dt: datetime | None) -> str:
    """'in 3 days' / '2 hours ago', localized; "just now" in the first minute (not
    "1 minute ago" right after saving)."""
    if dt is None:
        return ""
    delta = dt - now()
    if abs(delta.total_seconds()) < 60:
        return _("just now")
    return dates.format_timedelta(delta, add_direction=True, granularity="minute",
                                  threshold=0.9, locale=get_locale())


def format_datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
    """The site's one date-and-time style ("2026年12月2日 09:00" / "Dec 2, 2026, 9:00 AM"):
    "medium" and "short" both give it; "seconds" adds them (the audit log, where order
    within a minute matters); a date alone is the ``day`` filter."""
    if not value:
        return ""
    if fmt == "seconds":
        return format_datetime(value, "medium")
    if fmt in ("medium", "short"):
        return datetime_min(value)
    return format_datetime(value, fmt)


def datetime_min(value: datetime | None) -> str:
    """A date with its time to the minute, in the reader's zone and language
    ("2026年12月1日 18:00" / "Dec 1, 2026, 6:00 PM"): the medium format shows seconds,
    which nobody schedules by."""
    if value is None:
        return ""
    locale = get_locale()
    # (Flask-Babel's format_datetime with this pattern, without looking both up again)
    return dates.format_datetime(value, _minute_pattern(locale), tzinfo=get_timezone(),
                                 locale=locale)


@cache
def _minute_pattern(locale: Locale) -> str:
    """The locale's medium date-and-time pattern with the short time (no seconds)."""
    return str(locale.datetime_formats["medium"]).replace(
        "{1}", locale.date_formats["medium"].pattern).replace(
        "{0}", locale.time_formats["short"].pattern)




def current_locale() -> str:
    """Our own name of the active locale ("zh_CN" or "en"); Babel says "zh_Hans_CN"."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


class CatalogDomain(Domain):
    """Flask-Babel's domain, finding our ``zh_CN`` catalog for Babel's "zh_Hans_CN".

    Babel canonicalises zh_CN to zh_Hans_CN and gettext then looks only for
    ``zh_Hans_CN`` and ``zh``; we keep the catalog under the name people use.
    """

    def get_translations(self):
        if not has_app_context():
            return support.NullTranslations()
        locale = get_locale()
        key = (str(locale), self.domain[0])
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        names = [str(locale), "zh_CN"] if locale.language == "zh" else [str(locale)]
        translations = support.Translations()
        for dirname in self.translation_directories:
            catalog = support.Translations.load(dirname, names, self.domain[0])
            translations.merge(catalog)
            if hasattr(catalog, "plural"):
                translations.plural = catalog.plural
        self.cache[key] = translations
        return translations


# ---------------------------------------------------------------- templates' gettext

_CATALOGS: dict[Locale, support.NullTranslations] = {}


def _catalog() -> support.NullTranslations:
    """The current catalog (Flask-Babel's ``get_translations``), kept by locale: a list
    page translates a hundred strings, and Flask-Babel finds the catalog anew each time."""
    locale = get_locale()
    found = _CATALOGS.get(locale) if locale is not None else None
    if found is None:
        found = get_translations()
        if locale is not None:
            _CATALOGS[locale] = found
    return found


@pass_eval_context
def template_gettext(eval_ctx, string: str, **variables) -> str:
    """Templates' ``_()`` and ``gettext()``: Jinja's new-style gettext (the translation
    escaped like any text, then formatted with the escaped ``variables``), in one call."""
    rv = _catalog().ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)  # nosec B704 - the catalog's text (Jinja's i18n does the same); % escapes the variables
    return rv % variables


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    """Templates' ``ngettext()``, as ``template_gettext`` (``num`` is a variable too)."""
    variables.setdefault("num", num)
    rv = _catalog().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        rv = Markup(rv)  # nosec B704 - the catalog's text (Jinja's i18n does the same); % escapes the variables
    return rv % variables


def install_template_gettext(env) -> None:
    """Put the faster ``_``, ``gettext`` and ``ngettext`` in the templates (in place of
    the ones Jinja's i18n extension and Flask-Babel install: three calls and two catalog
    searches per string)."""
    env.globals.update(_=template_gettext, gettext=template_gettext,
                       ngettext=template_ngettext)

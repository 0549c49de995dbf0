"""Every template global, filter and context value of the app, registered once, here.

None of them touches the database: a page shows what its view passed in (the view asks
the services, and calls other domains' section functions by name), so reading a view is
enough to know what its page queries. What is here formats, labels, links and checks
permissions on objects already loaded.

Compiled templates are kept on disk (``TemplateCache``, a Jinja bytecode cache in
``CONSULT_TEMPLATE_CACHE``, the instance folder's ``template-cache`` by default), so the
warm-up of a start after the first of a release loads them instead of compiling them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import sys
from typing import Any

import jinja2
from flask import Flask, request
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from markupsafe import Markup

from consult import i18n, pagecache
from consult.accounts.forms import LocaleForm
from consult.admin import audit_labels
from consult.consultations import structure
from consult.consultations.diff import inline_diff
from consult.main.display import elder_mode
from consult.moderation.models import FlagReason
from consult.moderation.services import text_of
from consult.notifications.models import NotificationKind
from consult.participation.models import CHANNEL_LABELS, Channel, CommentStance
from consult.participation.parts import round_header, threads
from consult.participation.services import can_still_edit
from consult.responses.models import ADOPTION_LABELS, Adoption
from consult.rounds import lifecycle
from consult.security.permissions import check
from consult.security.sanitize import linkify
from consult.suggestions import deadlines
from consult.surveys.models import SCALE, Heard, Satisfaction
from consult.voting.models import Stance
from consult.web import IdUrls


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.loopcontrols")
    i18n.install_template_gettext(app.jinja_env)
    app.jinja_env.globals.update(
        # accounts, security, i18n
        can=can,
        csrf_token=generate_csrf,
        get_locale=i18n.current_locale,
        locale_form=lambda: LocaleForm(formdata=None),
        LOCALE_NAMES=i18n.LOCALE_NAMES,
        html_lang=i18n.html_lang,
        elder_mode=elder_mode,
        site_header=site_header,
        site_footer=site_footer,
        # links and labels of long lists, worked out once per list
        id_urls=IdUrls,
        labels_of=labels_of,
        # rounds
        round_state=lifecycle.state_view,
        round_state_class=lifecycle.state_class,
        round_states=lifecycle.with_states,
        current_round=lifecycle.current_of,
        days_between=days_between,
        # participation, responses, suggestions, moderation, notifications
        can_edit_comment=can_still_edit,
        comment_threads=threads,
        round_header=round_header,
        adoption_label=adoption_label,
        channel_label=channel_label,
        suggestion_overdue=deadlines.is_overdue,
        notification_kind=notification_kind,
        FLAG_REASONS=list(FlagReason),
        # voting and surveys: the fixed choices of their forms (labels are lazy)
        STANCES=list(Stance),
        COMMENT_STANCES=list(CommentStance),
        SURVEY_CHOICES={"satisfaction": [(s.value, s.label) for s in Satisfaction],
                        "heard": [(h.value, h.label) for h in Heard],
                        "scale": [(str(v), str(v)) for v in SCALE]},
    )
    app.jinja_env.filters.update(
        datetime=i18n.format_datetime_filter,
        datetime_min=i18n.datetime_min,
        day=day,
        file_size=file_size,
        relative=i18n.relative,
        linkify=linkify,
        proposal_diff=proposal_diff,
        outline=structure.outline,
        clause_place=structure.place,
        moderation_text=text_of,
        audit_action=audit_labels.action_label,
        audit_object=audit_labels.object_label,
        audit_details=audit_labels.details,
    )
    app.jinja_env.bytecode_cache = template_cache(app)


# Every permission the page header asks (``_site_header.html`` and ``_nav_items.html``):
# the header is kept under what they say of the reader (a test reads the templates).
NAV_RULES = ("workspace.view", "consultation.create", "rectification.workspace",
             "moderation.review", "evaluation.view", "admin.users")


@jinja2.pass_context
def site_header(context: Any) -> Markup:
    """The page header (``_site_header.html``): the same for every reader with the same
    rights and unread count on the same address in the same display mode and language, so
    it is kept in the page cache under those, the CSRF token of its forms left as a mark
    (pagecache.shared_html). Rendering it was a fifth of a page served from the cache."""
    user = current_user._get_current_object()
    signed_in = bool(user.is_authenticated)
    key = (request.script_root, request.path, request.query_string, elder_mode(),
           signed_in, user.unread_notifications if signed_in else None,
           *(check(user, rule) for rule in NAV_RULES))

    def rendered() -> str:
        return pagecache.shared_html(context.environment.get_template(
            "_site_header.html").render(context.get_all()))

    return pagecache.personal(pagecache.fragment("site-header", key, rendered))


@jinja2.pass_context
def site_footer(context: Any) -> Markup:
    """The page footer (``_site_footer.html``), the same for every reader in one language:
    kept in the page cache under the settings it shows."""
    config = context["config"]
    key = (request.script_root, config.get("SITE_OWNER"), config.get("SITE_CONTACT_PHONE"),
           config.get("SITE_CONTACT_EMAIL"))
    html = pagecache.fragment("site-footer", key, lambda: context.environment.get_template(
        "_site_footer.html").render(context.get_all()))
    # Markup: rendered (and escaped) by Jinja, now or on an earlier request.
    return Markup(html)  # nosec B704


def can(name: str, obj: Any = None) -> bool:
    """``can("round.close", round)``: show a button only when its POST would pass (the
    server checks again)."""
    return check(current_user, name, obj)


def labels_of(members) -> dict[Any, str]:
    """{member: its label in the current language} of an enum's ``members``, for a list
    that shows one per row (a label is looked up in the catalog each time it is read)."""
    return {member: str(member.label) for member in members}


def file_size(size: int) -> str:
    """A file's size for people: kilobytes below a megabyte (never "0 KB" for a tiny
    file), megabytes above, one decimal, in the reader's number format."""
    if size >= 1024 * 1024:
        return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))
    return _("%(size)s KB", size=format_decimal(max(round(size / 1024, 1), 0.1)))


def days_between(delta) -> int:
    return max(0, int(delta.total_seconds() // 86400))


def channel_label(value: str) -> str:
    try:
        return str(CHANNEL_LABELS[Channel(value)])
    except ValueError:
        return value


def adoption_label(value: str) -> str:
    try:
        return str(ADOPTION_LABELS[Adoption(value)])
    except ValueError:
        return _("Not triaged yet")


def notification_kind(value: str) -> NotificationKind | None:
    try:
        return NotificationKind(value)
    except ValueError:
        return None


def day(value, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def proposal_diff(proposed: str | None, original: str | None) -> Markup:
    """The proposed wording with its changes against the clause marked (<ins>/<del>)."""
    if not proposed:
        return Markup("")
    return inline_diff(original or "", proposed)


# ------------------------------------------------------------------ compiled templates

log = logging.getLogger(__name__)

# The Environment's settings that change the code a template compiles to.
_COMPILE_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string",
                    "variable_end_string", "comment_start_string", "comment_end_string",
                    "line_statement_prefix", "line_comment_prefix", "trim_blocks",
                    "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
                    "is_async", "newstyle_gettext")


class TemplateCache(FileSystemBytecodeCache):
    """Jinja's bytecode cache in a folder of the app's own, so compiling every template
    (most of the warm-up) is paid by the first start of a release, not by every start.

    Jinja already recompiles a template whose source changed (its checksum is kept with the
    code) and keys each file on the template's name and path and on the Python version.
    The key here adds everything else the compiled code depends on (``fingerprint``), so a
    new release never runs a template compiled for an older one. The folder is made (owner
    only) when the first template is loaded; the files are code the app runs, so a folder
    others may write to is not used, as Jinja refuses such a temporary folder. Writing is
    best effort: where the folder cannot be used, templates are compiled in memory as
    without a cache, with a warning in the log.
    """

    def __init__(self, directory: str) -> None:
        super().__init__(directory, "%s.cache")
        self.usable: bool | None = None  # known at the first template
        self._fingerprint = ""
        self.used: set[str] = set()  # the keys of this process's templates

    def get_bucket(self, environment, name, filename, source) -> Bucket:
        if self.usable is None:
            self._fingerprint = fingerprint(environment)
            self.usable = self._prepare_folder()
        key = hashlib.sha256(f"{self._fingerprint}|{self.get_cache_key(name, filename)}"
                           .encode()).hexdigest()
        self.used.add(key)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        if self.usable:
            self.load_bytecode(bucket)
        return bucket

    def dump_bytecode(self, bucket: Bucket) -> None:
        if not self.usable:
            return
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            self.usable = False
            log.warning("Compiled templates cannot be kept in %s (%s): each start "
                        "compiles them again.", self.directory, exc)

    def _prepare_folder(self) -> bool:
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            mode = os.stat(self.directory).st_mode
        except OSError as exc:
            log.warning("Compiled templates cannot be kept in %s (%s): each start "
                        "compiles them again.", self.directory, exc)
            return False
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            log.warning("Compiled templates are not kept in %s: other users may write to "
                        "it (chmod go-w %s).", self.directory, self.directory)
            return False
        return True

    def prune(self) -> int:
        """Remove the files this process did not use (other releases' templates, removed
        templates); returns how many went. The warm-up calls it after loading them all."""
        try:
            names = os.listdir(self.directory) if self.usable else []
        except OSError:
            names = []
        removed = 0
        for name in names:
            if name.endswith(".cache") and name.removesuffix(".cache") not in self.used:
                try:
                    os.remove(os.path.join(self.directory, name))
                    removed += 1
                except OSError:
                    pass
        return removed


def fingerprint(env: jinja2.Environment) -> str:
    """What the code of a compiled template depends on besides its source: Jinja's version,
    the Environment's syntax and compiler settings, its extensions, and the code of its
    filters and tests (Jinja applies a filter to constant arguments at compile time, so
    ``{{ "x"|f }}`` keeps f's result of the day it was compiled)."""
    parts = [jinja2.__version__, sys.version]
    parts += [f"{name}={getattr(env, name, None)!r}" for name in _COMPILE_OPTIONS]
    parts.append(_origin(env.autoescape) if callable(env.autoescape) else repr(env.autoescape))
    parts += sorted(f"{k}={v!r}" for k, v in env.policies.items() if k.startswith("compiler."))
    parts += sorted(env.extensions)
    modules = {_module_of(f) for f in (*env.filters.values(), *env.tests.values())}
    modules |= {type(ext).__module__ for ext in env.extensions.values()}
    digest = hashlib.sha256("\n".join(parts).encode())
    for module in sorted(m for m in modules if m):
        digest.update(module.encode())
        path = getattr(sys.modules.get(module), "__file__", None)
        if path:
            try:
                with open(path, "rb") as f:
                    digest.update(f.read())
            except OSError:
                pass
    return digest.hexdigest()


def _module_of(func) -> str | None:
    func = getattr(func, "func", func)  # functools.partial
    func = getattr(func, "__func__", func)  # a bound method
    return getattr(func, "__module__", None) or type(func).__module__


def _origin(func) -> str:
    func = getattr(func, "__func__", func)
    return f"{_module_of(func)}.{getattr(func, '__qualname__', type(func).__qualname__)}"


def template_cache(app: Flask) -> TemplateCache | None:
    """The cache in ``TEMPLATE_CACHE`` (None: the instance folder's ``template-cache``;
    empty: none)."""
    folder = app.config.get("TEMPLATE_CACHE")
    if folder is None:
        folder = os.path.join(app.instance_path, "template-cache")
    return TemplateCache(folder) if folder else None

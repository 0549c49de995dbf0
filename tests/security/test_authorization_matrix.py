"""The authorization matrix: every route of ``app.url_map`` x every role, with the
expected status. A route missing from MATRIX fails the test (add its row after
deciding who may use it); so does any cell that changes.

Each role gets a fresh small world (department A with a published consultation, an
open round, a comment, a reply, a question, a ballot and a suggestion; department B).
GET routes are requested first, then every write route with an empty form (so an
allowed user meets validation, 422, and a refused one 403 or the login redirect).

Columns: visitor, citizen, official of A (the owning department), official of B,
moderator, evaluator, admin. 302 = sent to the login page.
"""

from __future__ import annotations

import os

import pytest
from werkzeug.routing import IntegerConverter

from tests.security.world import ROLES, build_world

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Routes that end the session of the one who calls them: walks request them last or not.
SESSION_ENDERS = frozenset({"accounts.logout", "accounts.logout_everywhere",
                            "privacy.delete_my_account"})

# "METHOD endpoint": "visitor citizen official_a official_b moderator evaluator admin"
MATRIX: dict[str, str] = {
    "GET accounts.change_password": "302 200 200 200 200 200 200",
    "GET accounts.login": "200 302 302 302 302 302 302",
    "GET accounts.me": "302 200 200 200 200 200 200",
    "GET privacy.my_data": "302 200 200 200 200 200 200",
    "GET accounts.profile": "302 200 200 200 200 200 200",
    "GET accounts.register": "200 302 302 302 302 302 302",
    "GET accounts.reset_password": "422 422 422 422 422 422 422",
    "GET accounts.reset_request": "200 200 200 200 200 200 200",
    "GET accounts.verify": "422 422 422 422 422 422 422",
    "GET admin.audit_csv": "302 403 403 403 403 403 200",
    "GET admin.audit_log": "302 403 403 403 403 403 200",
    "GET admin.department": "302 403 403 403 403 403 200",
    "GET admin.departments": "302 403 403 403 403 403 200",
    "GET admin.index": "302 403 403 403 403 403 302",
    "GET admin.user": "302 403 403 403 403 403 200",
    "GET admin.users": "302 403 403 403 403 403 200",
    "GET analysis.duplicates": "302 403 200 403 200 200 403",
    "GET analysis.groups": "302 403 200 403 200 200 403",
    "GET analysis.opinions": "302 403 200 403 200 200 403",
    "GET analysis.status": "302 403 303 403 303 303 403",
    "GET analysis.terms": "302 403 200 403 200 200 403",
    "GET analysis.themes": "302 403 200 403 200 200 403",
    "GET api.actions": "200 200 200 200 200 200 200",
    "GET api.comments": "200 200 200 200 200 200 200",
    "GET api.comments_csv": "200 200 200 200 200 200 200",
    "GET api.consultation": "200 200 200 200 200 200 200",
    "GET api.consultations": "200 200 200 200 200 200 200",
    "GET api.department": "200 200 200 200 200 200 200",
    "GET api.departments": "200 200 200 200 200 200 200",
    "GET api.index": "200 200 200 200 200 200 200",
    "GET api.openapi": "200 200 200 200 200 200 200",
    "GET api.opinions_csv": "200 200 200 200 200 200 200",
    "GET api.questions": "200 200 200 200 200 200 200",
    "GET api.questions_csv": "200 200 200 200 200 200 200",
    "GET api.response": "404 404 404 404 404 404 404",
    "GET api.results": "200 200 200 200 200 200 200",
    "GET api.round_detail": "200 200 200 200 200 200 200",
    "GET api.scores": "200 200 200 200 200 200 200",
    "GET api.version": "200 200 200 200 200 200 200",
    "GET channels.hearing": "200 200 200 200 200 200 200",
    "GET channels.hearing_manage": "302 403 200 403 403 403 403",
    "GET channels.hearing_minutes_file": "404 404 404 404 404 404 404",
    "GET channels.hearings": "302 403 200 403 403 403 403",
    "GET channels.import_sheet": "302 403 200 403 403 403 403",
    "GET channels.ledger": "302 403 200 403 403 403 403",
    "GET channels.lookup": "200 200 200 200 200 200 200",
    "GET channels.receipt": "302 403 200 403 403 403 403",
    "GET channels.record": "302 403 200 403 403 403 403",
    "GET channels.record_detail": "302 403 200 403 403 403 403",
    "GET channels.record_file": "302 403 404 403 403 403 403",
    "GET channels.round_hearings": "200 200 200 200 200 200 200",
    "GET consultations.department": "200 200 200 200 200 200 200",
    "GET consultations.detail": "200 200 200 200 200 200 200",
    "GET consultations.diff": "200 200 200 200 200 200 200",
    "GET consultations.index": "200 200 200 200 200 200 200",
    "GET consultations.manage_detail": "302 403 200 403 403 403 403",
    "GET consultations.manage_draft": "302 403 200 403 403 403 403",
    "GET consultations.manage_edit": "302 403 200 403 403 403 403",
    "GET consultations.manage_edit_clause": "302 403 404 403 403 403 403",
    "GET consultations.manage_index": "302 403 200 200 403 403 403",
    "GET consultations.manage_new": "302 403 200 200 403 403 403",
    "GET consultations.version": "200 200 200 200 200 200 200",
    "GET evaluation.consultation": "302 403 403 403 403 200 200",
    "GET evaluation.dashboard": "302 403 403 403 403 200 200",
    "GET evaluation.department": "302 403 403 403 403 200 200",
    "GET evaluation.export": "302 403 403 403 403 404 404",
    "GET evaluation.report": "302 403 403 403 403 200 200",
    "GET evaluation.round_scores": "302 403 403 403 403 200 200",
    "POST evaluation.draw_sample": "302 403 403 403 403 409 409",
    "GET health.healthz": "200 200 200 200 200 200 200",
    "GET health.readyz": "200 200 200 200 200 200 200",
    "GET main.index": "200 200 200 200 200 200 200",
    "GET main.about_accessibility": "200 200 200 200 200 200 200",
    "GET main.about_contact": "200 200 200 200 200 200 200",
    "GET main.about_privacy": "200 200 200 200 200 200 200",
    # By address (loopback here), not by role: CONSULT_METRICS_ALLOW / _TOKEN.
    "GET observability.metrics": "200 200 200 200 200 200 200",
    "GET moderation.appeal": "302 404 404 404 404 404 404",
    "GET moderation.flag": "302 404 404 404 404 404 404",
    "GET moderation.item": "302 403 403 403 404 403 404",
    "GET moderation.queue": "302 403 403 403 200 403 200",
    "GET moderation.suspensions": "302 403 403 403 200 403 200",
    "GET moderation.user": "302 403 403 403 200 403 200",
    "GET moderation.words": "302 403 403 403 403 403 200",
    "GET notifications.index": "302 200 200 200 200 200 200",
    "GET participation.answer_question": "302 403 200 403 403 403 403",
    "GET participation.edit_comment": "302 403 403 403 403 403 403",
    "GET participation.question_inbox": "302 403 200 200 403 403 403",
    "GET participation.reply_form": "302 200 200 200 200 200 200",
    "GET participation.round_comments": "200 200 200 200 200 200 200",
    "GET participation.round_questions": "200 200 200 200 200 200 200",
    "GET participation.withdraw_comment": "302 403 403 403 403 403 403",
    "GET responses.accountability": "200 200 200 200 200 200 200",
    "GET responses.manage_action": "302 404 404 404 404 404 404",
    "GET responses.manage_response": "302 403 409 403 403 403 403",
    "GET responses.response_page": "200 200 200 200 200 200 200",
    "GET responses.triage": "302 403 409 403 403 403 403",
    "GET statutory.attachment": "200 200 200 200 200 200 200",
    "GET statutory.attachments_page": "302 403 200 403 403 403 403",
    "GET statutory.draft": "404 404 404 404 404 404 404",
    "GET statutory.report": "404 404 404 404 404 404 404",
    "GET statutory.statement": "404 404 404 404 404 404 404",
    "GET statutory.word_import": "302 403 200 403 403 403 403",
    "GET rounds.manage_round": "302 403 200 403 403 403 403",
    "GET rounds.manage_rounds": "302 403 200 403 403 403 403",
    "GET rounds.round_page": "200 200 200 200 200 200 200",
    "GET suggestions.answer": "302 403 200 403 403 403 403",
    "GET suggestions.deadlines_page": "302 403 200 200 403 403 200",
    "GET suggestions.detail": "200 200 200 200 200 200 200",
    "GET suggestions.index": "200 200 200 200 200 200 200",
    "GET suggestions.manage": "302 403 200 200 403 403 200",
    "GET workspace.assigned": "302 403 200 200 403 403 403",
    "GET workspace.badge": "302 403 303 303 403 403 403",  # without HX-Request: the page
    "GET workspace.index": "302 403 200 200 302 302 302",
    "GET workspace.edit_template": "302 404 404 404 404 404 404",
    "GET workspace.opinion": "302 403 200 403 403 403 403",
    "GET workspace.templates": "302 403 200 200 403 403 403",
    "POST workspace.delete_template": "302 404 404 404 404 404 404",
    "POST workspace.edit_template": "302 404 404 404 404 404 404",
    "POST workspace.templates": "302 403 422 422 403 403 403",
    "POST workspace.add_note": "302 403 422 403 403 403 403",
    "POST workspace.assign": "302 403 303 403 403 403 403",
    "POST workspace.bulk_assign": "302 403 422 403 403 403 403",
    "POST workspace.answer_many": "302 403 422 422 403 403 403",
    "POST workspace.claim": "302 403 303 403 403 403 403",
    "GET suggestions.new": "302 200 200 200 200 200 200",
    "GET suggestions.similar": "200 200 200 200 200 200 200",
    "GET surveys.edit_question": "302 403 404 403 403 403 403",
    "GET surveys.manage": "302 403 200 403 403 403 403",
    "GET surveys.results": "200 200 200 200 200 200 200",
    "GET surveys.survey": "200 200 200 200 200 200 200",
    "GET surveys.written": "302 403 200 403 403 403 403",
    "GET voting.edit_question": "302 403 404 403 403 403 403",
    "GET voting.manage_poll": "302 403 200 403 403 403 403",
    "GET voting.results": "200 200 200 200 200 200 200",
    "GET voting.vote": "200 200 200 200 200 200 200",
    "POST channels.apply": "302 422 422 422 422 422 422",
    "POST channels.confirm_import": "302 403 404 403 403 403 403",
    "POST channels.hearing_minutes": "302 403 409 403 403 403 403",
    "POST channels.hearing_select": "302 403 303 403 403 403 403",
    "POST channels.hearings": "302 403 422 403 403 403 403",
    "POST channels.import_sheet": "302 403 422 403 403 403 403",
    "POST channels.lookup": "422 422 422 422 422 422 422",
    "POST channels.record": "302 403 422 403 403 403 403",
    "POST accounts.change_password": "302 422 422 422 422 422 422",
    "POST privacy.delete_my_account": "302 302 302 302 302 302 302",
    "POST privacy.export_my_data": "302 200 200 200 200 200 200",
    "POST accounts.login": "422 422 422 422 422 422 422",
    "POST accounts.logout": "303 303 303 303 303 303 303",
    "POST accounts.logout_everywhere": "302 302 302 302 302 302 302",  # after logout
    "POST accounts.profile": "302 422 422 422 422 422 422",
    "POST accounts.register": "422 302 302 302 302 302 302",
    # The sign-up form's field checks: anyone, nothing saved, never whether an address is
    # taken (an empty form is 422 with every message).
    "POST accounts.register_check": "422 422 422 422 422 422 422",
    "POST accounts.resend_verification": "302 303 303 303 303 303 303",
    "POST accounts.reset_password": "422 422 422 422 422 422 422",
    "POST accounts.reset_request": "422 422 422 422 422 422 422",
    "POST accounts.set_locale": "422 422 422 422 422 422 422",
    "POST display.set_display": "422 422 422 422 422 422 422",
    "POST admin.department": "302 403 403 403 403 403 303",
    "POST admin.departments": "302 403 403 403 403 403 422",
    "POST admin.user": "302 403 403 403 403 403 303",
    "POST admin.user_active": "302 403 403 403 403 403 303",
    "POST analysis.accept_theme": "302 403 404 403 404 404 403",
    "POST analysis.refresh": "302 403 303 403 303 303 403",
    "POST consultations.manage_add_clause": "302 403 422 403 403 403 403",
    "POST consultations.manage_delete_clause": "302 403 404 403 403 403 403",
    "POST consultations.manage_edit": "302 403 303 403 403 403 403",
    "POST consultations.manage_edit_clause": "302 403 404 403 403 403 403",
    "POST consultations.manage_import": "302 403 422 403 403 403 403",
    "POST consultations.manage_move_clause": "302 403 303 403 403 403 403",
    "POST consultations.manage_new": "302 403 422 422 403 403 403",
    "POST consultations.manage_publish": "302 403 303 403 403 403 403",
    "POST consultations.manage_publish_version": "302 403 422 403 403 403 403",
    "POST consultations.manage_restore": "302 403 303 403 403 403 403",
    "POST moderation.appeal": "302 404 404 404 404 404 404",
    "POST moderation.approve": "302 403 403 403 404 403 404",
    "POST moderation.decide_appeal": "302 403 403 403 404 403 404",
    "POST moderation.delete_word": "302 403 403 403 403 403 404",
    "POST moderation.dismiss": "302 403 403 403 404 403 404",
    "POST moderation.flag": "302 404 404 404 404 404 404",
    "POST moderation.hide": "302 403 403 403 404 403 404",
    "POST moderation.lift": "302 403 403 403 409 403 409",
    "POST moderation.reject": "302 403 403 403 404 403 404",
    "POST moderation.restore": "302 403 403 403 404 403 404",
    "POST moderation.user": "302 403 403 403 422 403 422",
    "POST moderation.words": "302 403 403 403 403 403 422",
    "POST notifications.follow": "303 303 303 303 303 303 303",
    "POST notifications.open_notification": "302 404 404 404 404 404 404",
    "POST notifications.read_all": "302 303 303 303 303 303 303",
    "POST notifications.settings": "302 303 303 303 303 303 303",
    "POST notifications.unfollow": "303 303 303 303 303 303 303",
    "POST participation.answer_question": "302 403 422 403 403 403 403",
    "POST participation.ask_question": "302 422 422 422 422 422 422",
    "POST participation.edit_comment": "302 403 403 403 403 403 403",
    "POST participation.post_comment": "302 422 422 422 422 422 422",
    "POST participation.support_comment": "302 409 409 409 409 409 409",
    "POST participation.support_question": "302 409 409 409 409 409 409",
    "POST participation.withdraw_comment": "302 403 403 403 403 403 403",
    "POST responses.add_action": "302 403 409 403 403 403 403",
    "POST responses.add_erratum": "302 403 409 403 403 403 403",
    "POST responses.create_theme": "302 403 409 403 403 403 403",
    "POST responses.manage_action": "302 404 404 404 404 404 404",
    "POST responses.manage_response": "302 403 409 403 403 403 403",
    "POST responses.merge_theme": "302 403 409 403 403 403 403",
    "POST responses.publish": "302 403 409 403 403 403 403",
    "GET responses.publish_preview": "302 403 409 403 403 403 403",
    "POST responses.remove_action": "302 403 409 403 403 403 403",
    "POST responses.rename_theme": "302 403 409 403 403 403 403",
    "POST responses.triage_bulk": "302 403 409 403 403 403 403",
    "POST responses.triage_one": "302 403 409 403 403 403 403",
    "POST statutory.word_preview": "302 403 422 403 403 403 403",
    # An empty form: no file to add (422); a published consultation's document is not
    # removed without a reason (422).
    "POST statutory.attachment_upload": "302 403 422 403 403 403 403",
    "POST statutory.attachment_delete": "302 403 422 403 403 403 403",
    "POST rounds.close_round": "302 403 422 403 403 403 403",
    "POST rounds.extend_round": "302 403 422 403 403 403 403",
    "POST rounds.manage_round": "302 403 422 403 403 403 403",
    "POST rounds.manage_rounds": "302 403 422 403 403 403 403",
    "POST suggestions.answer": "302 403 422 403 403 403 403",
    "POST suggestions.answer_many": "302 403 422 422 403 403 403",
    "POST suggestions.comment": "302 422 422 422 422 422 422",
    "POST suggestions.deadlines_page": "302 403 404 404 403 403 404",
    "POST suggestions.new": "302 422 422 422 422 422 422",
    "POST suggestions.rate": "302 422 422 422 422 422 422",
    "POST suggestions.route": "302 403 403 403 403 403 422",
    "POST suggestions.support": "302 303 303 303 303 303 303",
    "POST surveys.delete_question": "302 403 404 403 403 403 403",
    "POST surveys.edit_question": "302 403 404 403 403 403 403",
    "POST surveys.manage": "302 403 422 403 403 403 403",
    "POST surveys.settings": "302 403 303 403 403 403 403",
    "POST surveys.survey": "302 403 403 403 403 403 403",
    "POST voting.delete_question": "302 403 404 403 403 403 403",
    "POST voting.edit_question": "302 403 404 403 403 403 403",
    "POST voting.manage_poll": "302 403 409 403 403 403 403",
    "POST voting.vote": "302 422 422 422 422 422 422",
    # Rectification (好差评): the world's case is department A's; the rater is none of
    # the roles. Closing without a follow-up is refused (409); a case with no appeal
    # cannot be decided (409).
    "GET api.rectification_figures": "200 200 200 200 200 200 200",
    "GET rectification.appeals": "302 403 403 403 403 200 200",
    "GET rectification.case_page": "200 200 200 200 200 200 200",
    "GET rectification.manage": "302 403 200 403 403 403 403",
    "GET rectification.record": "200 200 200 200 200 200 200",
    "GET rectification.workspace": "302 403 200 200 403 403 403",
    "POST rectification.appeal": "302 403 422 403 403 403 403",
    "POST rectification.deadline": "302 403 422 403 403 403 403",
    "POST rectification.decide": "302 403 403 403 403 409 409",
    "POST rectification.follow_up": "302 403 422 403 403 403 403",
    "POST rectification.rerate": "302 403 403 403 403 403 403",
    "POST rectification.resolve": "302 403 409 403 403 403 403",
}

# Whatever the table says, these must hold.
STAFF_PREFIXES = ("/manage/", "/admin/")
OK = {200, 201, 303}


def routes(app):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule))
    # reads first, then writes, each in a fixed order; the session enders last
    last = SESSION_ENDERS
    return sorted(found, key=lambda mr: (mr[0] != "GET", mr[1].endpoint in last, mr[1].rule,
                                         mr[0]))


def url_for_rule(rule, ids):
    values = {}
    for name in rule.arguments:
        conv = rule._converters[name]
        values[name] = ids.get(name, 1 if isinstance(conv, IntegerConverter) else "x")
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def observed(app, client, login_as, pytestconfig):
    """{key: [status per role]} for every route."""
    table: dict[str, list[int]] = {}
    for n, role in enumerate(ROLES):
        if n:
            _reset(pytestconfig)
        world = build_world()
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.users[role])
        ids = world.ids()
        for method, rule in routes(app):
            response = client.open(url_for_rule(rule, ids), method=method, data={})
            table.setdefault(f"{method} {rule.endpoint}", []).append(response.status_code)
    return table


def _reset(pytestconfig):
    from consult.extensions import db
    from tests.conftest import clear_database, prepare_schema

    db.session.remove()
    clear_database(pytestconfig)
    if pytestconfig.consult_db_url is None:
        prepare_schema(pytestconfig)


def test_authorization_matrix(app, observed):
    check_invariants(observed)
    if os.environ.get("PRINT_MATRIX"):
        for key, statuses in sorted(observed.items()):
            print(f'    "{key}": "{" ".join(map(str, statuses))}",')
    missing = sorted(set(observed) - set(MATRIX))
    assert not missing, ("routes not in the authorization matrix (decide who may use them "
                         "and add a row):\n" + "\n".join(
                             f'    "{k}": "{" ".join(map(str, observed[k]))}",' for k in missing))
    changed = []
    for key, statuses in sorted(observed.items()):
        expected = [int(s) for s in MATRIX[key].split()]
        if expected != statuses:
            changed.append(f"{key}: expected {expected}, got {statuses}")
    assert not changed, "authorization changed:\n" + "\n".join(changed)
    stale = sorted(set(MATRIX) - set(observed))
    assert not stale, f"rows for routes that no longer exist: {stale}"
    cells = sum(len(v) for v in observed.values())
    print(f"\nauthorization matrix: {len(observed)} routes x {len(ROLES)} roles = {cells} "
          "cells, all as expected")


def check_invariants(observed):
    """No visitor or citizen gets into staff pages; the other department's official
    never succeeds on department A's management routes; only admins use /admin."""
    problems = []
    for key, statuses in observed.items():
        by_role = dict(zip(ROLES, statuses, strict=True))
        method, endpoint = key.split(" ", 1)
        staff = endpoint.startswith(("admin.", "analysis.", "evaluation.", "moderation.q",
                                     "moderation.s", "moderation.w", "workspace.")) or ".manage" in endpoint or endpoint in {
            "participation.question_inbox", "responses.triage", "suggestions.manage",
            "suggestions.deadlines_page", "suggestions.answer", "suggestions.route",
            "suggestions.answer_many"}
        if staff:
            for role in ("visitor", "citizen"):
                if by_role[role] in OK:
                    problems.append(f"{role} {key}: {by_role[role]}")
        if endpoint.startswith("admin.") and any(
                by_role[r] in OK for r in ROLES if r != "admin"):
            problems.append(f"non-admin on {key}: {by_role}")
        if (endpoint.startswith(("consultations.manage", "rounds.manage", "rounds.close",
                                "rounds.extend", "voting.manage", "surveys.manage",
                                "responses.manage", "responses.triage", "workspace.opinion",
                                "workspace.add_note", "workspace.claim", "workspace.bulk_assign",
                                "suggestions.answer_many"))
                or endpoint == "workspace.assign") \
                and endpoint not in ("consultations.manage_index", "consultations.manage_new") \
                and by_role["official_b"] in OK:
            problems.append(f"official of B on A's {key}: {by_role['official_b']}")
        if by_role["visitor"] == 500 or 500 in statuses:
            problems.append(f"500 on {key}: {by_role}")
    assert not problems, "\n".join(problems)

"""Readable audit entries: the action's name and the object's kind in the reader's
language, the details as "key: value" pairs with their text as written (not JSON
escapes). The codes stay in the filters and the CSV, and beside the name."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "action.added": _l("Follow-up action added"),
    "action.removed": _l("Follow-up action removed"),
    "action.updated": _l("Follow-up action updated"),
    "attachment.added": _l("Background document added"),
    "attachment.deleted": _l("Background document removed"),
    "comment.post": _l("Comment posted"),
    "comment.edit": _l("Comment edited"),
    "comment.reply": _l("Reply posted"),
    "comment.withdraw": _l("Comment withdrawn"),
    "consultation.created": _l("Consultation created"),
    "consultation.published": _l("Consultation published"),
    "consultation.updated": _l("Consultation edited"),
    "department.created": _l("Department created"),
    "department.reactivated": _l("Department reactivated"),
    "draft.clause_added": _l("Clause added to the working copy"),
    "draft.clause_deleted": _l("Clause deleted from the working copy"),
    "draft.clause_edited": _l("Clause edited in the working copy"),
    "draft.clause_moved": _l("Clause moved in the working copy"),
    "draft.clauses_imported": _l("Clauses imported"),
    "draft.version_published": _l("Draft version published"),
    "draft.working_copy_restored": _l("Working copy restored"),
    "moderation.appeal": _l("Appeal lodged"),
    "moderation.appeal_decided": _l("Appeal decided"),
    "moderation.approve": _l("Held post approved"),
    "moderation.reject": _l("Held post rejected"),
    "moderation.dismiss": _l("Flag dismissed"),
    "moderation.flag": _l("Post flagged"),
    "moderation.hold": _l("Post held for review"),
    "moderation.lift": _l("Suspension lifted"),
    "moderation.restore": _l("Post restored"),
    "moderation.suspend": _l("Account suspended"),
    "moderation.term_added": _l("Sensitive word added"),
    "moderation.term_deleted": _l("Sensitive word deleted"),
    "question.answer": _l("Question answered"),
    "question.ask": _l("Question asked"),
    "question.withdraw": _l("Question withdrawn"),
    "response.draft_saved": _l("Response draft saved"),
    "response.erratum": _l("Erratum published"),
    "response.published": _l("Response published"),
    "round.added": _l("Round added"),
    "round.closed": _l("Round closed"),
    "round.edited": _l("Round edited"),
    "round.extended": _l("Round extended"),
    "round.responded": _l("Round answered"),
    "suggestion.answered": _l("Suggestion answered"),
    "suggestion.policy_set": _l("Suggestion policy set"),
    "suggestion.rated": _l("Answer to a suggestion rated"),
    "suggestion.routed": _l("Suggestion routed to a department"),
    "suggestion.submitted": _l("Suggestion submitted"),
    "suggestion.transferred": _l("Suggestion transferred"),
    "survey.settings_changed": _l("Survey settings changed"),
    "theme.created": _l("Theme created"),
    "theme.merged": _l("Themes merged"),
    "theme.renamed": _l("Theme renamed"),
    "triage.bulk": _l("Opinions triaged together"),
    "triage.set": _l("Opinion triaged"),
    "user.activated": _l("Account reactivated"),
    "user.data_exported": _l("Own data downloaded"),
    "user.deleted": _l("Account deleted"),
    "user.logged_in": _l("Logged in"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset"),
    "user.password_reset_requested": _l("Password reset requested"),
    "user.profile_updated": _l("Profile updated"),
    "user.registered": _l("Account registered"),
    "user.roles_changed": _l("Roles changed"),
    "user.verified": _l("E-mail address verified"),
}

OBJECTS = {
    "action": _l("Follow-up action"),
    "comment": _l("Comment"),
    "consultation": _l("Consultation"),
    "department": _l("Department"),
    "draft_version": _l("Draft version"),
    "question": _l("Question"),
    "round": _l("Round"),
    "suggestion": _l("Suggestion"),
    "theme": _l("Theme"),
    "user": _l("User"),
}


def action_label(code: str) -> str:
    """The action's name; an action without one yet shows its code."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def object_label(kind: str | None) -> str:
    if not kind:
        return ""
    label = OBJECTS.get(kind)
    return str(label) if label is not None else kind


def details(data: Any) -> list[tuple[str, str]]:
    """(key, value) pairs, values as written: text unescaped, lists and objects as
    compact JSON with their characters as they are."""
    if not data:
        return []
    if not isinstance(data, dict):
        return [("", _shown(data))]
    return [(str(key), _shown(value)) for key, value in sorted(data.items())]


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

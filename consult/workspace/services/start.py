"""Where staff land after logging in: officials on their workspace, moderators on the
moderation queue, evaluators on their dashboard, administrators on the users page."""

from __future__ import annotations

from flask import url_for

from consult.security.permissions import check

# Staff without a department land on their own starting page (first match wins).
START_PAGES = (("moderation.review", "moderation.queue"),
               ("evaluation.view", "evaluation.dashboard"),
               ("admin.users", "admin.users"))


def start_page(user) -> str | None:
    """Where a staff member lands after logging in, or None for everyone else."""
    if check(user, "workspace.view"):
        return url_for("workspace.index")
    for rule, endpoint in START_PAGES:
        if check(user, rule):
            return url_for(endpoint)
    return None

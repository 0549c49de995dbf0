"""Who may record offline opinions, see their senders and scans, and run hearings: the
officials of the round's department. Applying to attend a hearing: any verified citizen.

Rules taking a round expect it loaded with its consultation (``rounds.services.get_round``).
"""

from __future__ import annotations

from consult.security.permissions import can_act, is_official_of, rule


@rule("channels.manage")
def _manage(user, round_=None) -> bool:
    """The ledger, recording and importing opinions, receipts, hearings of a round."""
    return round_ is not None and is_official_of(user, round_.consultation.department_id)


@rule("hearing.apply")
def _apply(user, hearing=None) -> bool:
    return can_act(user)

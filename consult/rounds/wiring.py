"""How the rounds domain joins the app: its pages, ``flask rounds tick``, and the page
cache's content versions (a round's own changes and a renamed department bump them), and
the distinct participants' counters kept at each commit."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import case, event, inspect, select, update
from sqlalchemy.orm import Session

from consult import pagecache
from consult.accounts.models import Department
from consult.consultations.models import Consultation
from consult.rounds import participants
from consult.rounds.cli import rounds_cli
from consult.rounds.models import Round
from consult.rounds.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(rounds_cli)
    pagecache.bump_versions_with(bump_content_versions)
    pagecache.shown_on_rounds(Round, round_itself)
    pagecache.shown_on_rounds(Department, department_rounds)
    # Distinct participants per department and month: a round's participants move with
    # its group, and the counters move at commit (consult.rounds.participants).
    for name, listener in (("before_flush", participants.collect_moves),
                           ("before_commit", participants.settle),
                           ("after_soft_rollback", participants.forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def bump_content_versions(session: Session, round_ids: list[int],
                          counted_ids: list[int], tallied_ids: list[int]) -> None:
    """One UPDATE for every round a transaction changed, the counts version of those whose
    counts it may have moved too, the tally version of those whose kept tallies it moved
    (see consult.pagecache)."""
    every = set(round_ids)

    def moved(ids: list[int]):
        return 1 if set(ids) >= every else case((Round.id.in_(ids), 1), else_=0)

    values = {"content_version": Round.content_version + 1}
    if counted_ids:
        values["counts_version"] = Round.counts_version + moved(counted_ids)
    if tallied_ids:
        values["tally_version"] = Round.tally_version + moved(tallied_ids)
    session.execute(update(Round).where(Round.id.in_(round_ids)).values(values)
                    .execution_options(synchronize_session=False))


def round_itself(session: Session, obj: Round):
    # Its dates, state and response as the ORM changes them (the hot counters and the
    # version itself move in SQL, unseen here).
    return (obj.id,)


def department_rounds(session: Session, obj: Department):
    """A renamed department: it signs the answers on its rounds' question lists."""
    state = inspect(obj)
    if obj in session.new or not (state.attrs.name.history.has_changes()
                                  or state.attrs.name_en.history.has_changes()):
        return ()
    with session.no_autoflush:
        return session.scalars(
            select(Round.id).join(Consultation, Consultation.id == Round.consultation_id)
            .where(Consultation.department_id == obj.id)).all()

"""Random follow-up samples (随机回访): an evaluator draws, with a shown seed, a sample
of the round's participants who have not rated; they are invited to the survey, and
their answers are counted apart from the opt-in ones (counters on the sample row, moved
in each answer's transaction), so evaluation can show both side by side.

A draw is reproducible: the population is the participants without an answer and not in
an earlier sample of the round, ordered by user id; the members are
``random.Random(f"{round_id}:{seed}").sample(population, size)``, and the SHA-256 of the
ordered population ids and of the ordered member ids (joined by commas) are stored and
shown. The same seed twice for one round is refused (409)."""

from __future__ import annotations

import hashlib
import random
import re
import secrets
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from consult import audit, signals
from consult.accounts.models import Actor, Role, RoleAssignment
from consult.clock import now
from consult.consultations.models import Consultation
from consult.db import db
from consult.errors import Conflict, InvalidState, ValidationFailed
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundParticipant
from consult.security.params import parse_int
from consult.security.permissions import authorize
from consult.surveys.models import (
    GOOD_SATISFACTION,
    SAMPLE_MAX,
    SEED_MAX,
    Satisfaction,
    SurveyAnswer,
    SurveySample,
    SurveySampleMember,
)

SEED_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


def digest(ids: list[int]) -> str:
    """SHA-256 of the ordered ids joined by commas (anyone can recompute it)."""
    return hashlib.sha256(",".join(str(i) for i in ids).encode()).hexdigest()


def choose(round_id: int, seed: str, population: list[int], size: int) -> list[int]:
    """The members: a seeded draw from the ordered population, returned ordered."""
    return sorted(random.Random(f"{round_id}:{seed}").sample(population,
                                                            min(size, len(population))))


def _clean_seed(seed: Any) -> str:
    text = str(seed or "").strip()
    if not text:
        return secrets.token_hex(8)
    if len(text) > SEED_MAX or not SEED_PATTERN.fullmatch(text):
        raise ValidationFailed(_l("A seed has at most %(max)d letters, digits, “-” or “_”.",
                                  max=SEED_MAX), field="seed")
    return text


def population_of(round_id: int) -> list[int]:
    """Participants who have not answered and were not sampled before, by user id; never
    an official of the department whose response the survey rates (they may not answer)."""
    department = (select(Consultation.department_id)
                  .join(Round, Round.consultation_id == Consultation.id)
                  .where(Round.id == round_id).scalar_subquery())
    own_officials = select(RoleAssignment.user_id).where(
        RoleAssignment.role == Role.OFFICIAL, RoleAssignment.department_id == department)
    answered = exists().where(SurveyAnswer.round_id == round_id,
                              SurveyAnswer.user_id == RoundParticipant.user_id)
    sampled = exists().where(SurveySampleMember.round_id == round_id,
                             SurveySampleMember.user_id == RoundParticipant.user_id)
    return list(db.session.scalars(
        select(RoundParticipant.user_id)
        .where(RoundParticipant.round_id == round_id, ~answered, ~sampled,
               RoundParticipant.user_id.not_in(own_officials))
        .order_by(RoundParticipant.user_id)))


def draw_sample(actor: Actor, round_: Round, *, seed: Any = None, size: Any = None,
                at: datetime | None = None) -> SurveySample:
    """Draw and invite a sample while the survey is open; one transaction."""
    authorize(actor, "survey.sample", round_)
    if lifecycle.state_of(round_) is not RoundState.RESPONDED:
        raise InvalidState(_l("A follow-up sample can be drawn only while the round's "
                              "survey is open."))
    asked = parse_int(str(size or "").strip(), low=1, high=SAMPLE_MAX)
    if asked is None:
        raise ValidationFailed(_l("Give a sample size from 1 to %(max)d.", max=SAMPLE_MAX),
                               field="size")
    seed = _clean_seed(seed)
    taken = db.session.scalar(select(SurveySample.id).where(
        SurveySample.round_id == round_.id, SurveySample.seed == seed))
    if taken is not None:
        raise Conflict(_l("A sample was already drawn for this round with the seed "
                          "“%(seed)s”. The same seed gives the same people: choose another "
                          "seed.", seed=seed))
    population = population_of(round_.id)
    if not population:
        raise InvalidState(_l("Every participant of this round has rated the response or "
                              "was sampled already: there is nobody left to draw."))
    members = choose(round_.id, seed, population, asked)
    sample = SurveySample(round_id=round_.id, seed=seed, asked=asked, size=len(members),
                          population=len(population), population_sha256=digest(population),
                          sample_sha256=digest(members), drawn_at=at or now(),
                          drawn_by_id=actor.id, answered=0, satisfied=0)
    try:
        with db.session.begin_nested():
            db.session.add(sample)
            db.session.flush()
            db.session.execute(insert(SurveySampleMember), [
                {"round_id": round_.id, "user_id": u, "sample_id": sample.id}
                for u in members])
    except IntegrityError:  # the same draw from another window at the same moment
        raise Conflict(_l("A sample was just drawn for this round from elsewhere. Reload "
                          "the page.")) from None
    audit.record(actor, "survey.sample_drawn", sample, round_id=round_.id, seed=seed,
                 size=len(members), population=len(population),
                 population_sha256=sample.population_sha256,
                 sample_sha256=sample.sample_sha256)
    signals.survey_sample_drawn.send(sample, round_=round_, user_ids=members)
    return sample


def samples_of(round_id: int) -> list[SurveySample]:
    """The round's samples, oldest first (one query)."""
    return list(db.session.scalars(select(SurveySample).where(
        SurveySample.round_id == round_id).order_by(SurveySample.drawn_at, SurveySample.id)))


def move_sample_counters(round_id: int, user_id: int, *, new: Any, old: Any) -> None:
    """A sampled member's answer given (``old`` None), changed, or voided (``new``
    None): the sample's counters move in the answer's transaction (one statement)."""
    def good(value: Any) -> int:
        return int(value is not None and Satisfaction(value) in GOOD_SATISFACTION)
    answered = (new is not None) - (old is not None)
    satisfied = good(new) - good(old)
    if not answered and not satisfied:
        return
    member_of = (select(SurveySampleMember.sample_id)
                 .where(SurveySampleMember.round_id == round_id,
                        SurveySampleMember.user_id == user_id).scalar_subquery())
    db.session.execute(update(SurveySample).where(SurveySample.id == member_of)
                       .values(answered=SurveySample.answered + answered,
                               satisfied=SurveySample.satisfied + satisfied)
                       .execution_options(synchronize_session=False))

"""Voting services: poll questions, ballots, counters and result visibility."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from consult.audit.models import AuditEntry
from consult.clock import now
from consult.db import atomic
from consult.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from consult.extensions import db
from consult.questionnaires.models import (
    AnswerChoice,
    Purpose,
    Questionnaire,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.rounds.models import Round, RoundKind, RoundParticipant
from consult.rounds.services import get_round
from consult.security.permissions import check
from consult.voting import services
from consult.voting.models import Ballot, Stance, VoteTally
from tests.factories import DepartmentFactory, RoundFactory, UserFactory, with_roles


def load_round(round_id: int):
    db.session.expire_all()
    return get_round(None, round_id)




def make_round(dept, **kw):
    kw.setdefault("kind", RoundKind.VOTE)
    return RoundFactory(version__consultation__department=dept, **kw)


def add_question(official, round_id, text="您最关心哪一项？", multiple=False,
                 options="日间照料\n助餐服务\n上门护理", kind=None):
    with atomic():
        return services.add_question(
            with_roles(official), load_round(round_id), text=text,
            kind=kind or ("multiple" if multiple else "single"), options=options).id


def make_poll(dept, official, *, questions=((False, 3), (True, 4)), **kw):
    """A scheduled round with poll questions, then opened by moving its dates."""
    state = kw.pop("state", "open")
    r = make_round(dept, scheduled=True, **kw)
    ids = [add_question(official, r.id, text=f"问题{i}", multiple=multiple,
                        options="\n".join(f"选项{i}-{j}" for j in range(n)))
           for i, (multiple, n) in enumerate(questions)]
    set_state(r.id, state)
    questions_ = services.list_questions(load_round(r.id))
    assert [q.id for q in questions_] == ids
    # Plain copies: the ORM objects expire at every commit of the test.
    return r.id, [SimpleNamespace(id=q.id, multiple=q.multiple,
                                  options=[SimpleNamespace(id=o.id) for o in q.options])
                  for q in questions_]


def set_state(round_id, state):
    """Move a round's dates (the clock decides its state): "open" or "closed"."""
    at = now()
    opens, closes = ((at - timedelta(days=1), at + timedelta(days=13)) if state == "open"
                     else (at - timedelta(days=20), at - timedelta(days=2)))
    db.session.execute(update(Round).where(Round.id == round_id).values(
        opens_at=opens, closes_at=closes, response_due_at=closes + timedelta(days=15)))
    db.session.commit()


def close_now(round_id):
    db.session.execute(update(Round).where(Round.id == round_id).values(closed_at=now()))
    db.session.commit()


def cast(user, round_id, stance="support", answers=None, reason=None):
    with atomic():
        return services.cast_ballot(with_roles(user), load_round(round_id), stance=stance,
                                    reason=reason, answers=answers)


def recount(round_id):
    """Counts recomputed from the rows, to compare with the counters."""
    stances = Counter(db.session.scalars(select(Ballot.stance)
                                         .where(Ballot.round_id == round_id)))
    choices = (select(AnswerChoice.option_id, AnswerChoice.question_id, AnswerChoice.owner_id)
               .join(Ballot, Ballot.id == AnswerChoice.owner_id)
               .where(AnswerChoice.purpose == Purpose.POLL, Ballot.round_id == round_id))
    rows_ = db.session.execute(choices).all()
    options = Counter(row.option_id for row in rows_)
    respondents = Counter(q for q, _ in {(row.question_id, row.owner_id) for row in rows_})
    return stances, options, respondents


def poll_of(round_id):
    return (select(QuestionnaireQuestion).join(Questionnaire)
            .where(Questionnaire.round_id == round_id, Questionnaire.purpose == Purpose.POLL))


def assert_counters_match(round_id):
    db.session.expire_all()
    stances, options, respondents = recount(round_id)
    tally = db.session.get(VoteTally, round_id)
    for s in Stance:
        assert (tally.count(s) if tally else 0) == stances.get(s, 0), s
    round_ = db.session.get(Round, round_id)
    assert round_.ballot_count == sum(stances.values()) == db.session.scalar(
        select(func.count(Ballot.id)).where(Ballot.round_id == round_id))
    for q in db.session.scalars(poll_of(round_id)):
        assert q.respondent_count == respondents.get(q.id, 0)
    for o in db.session.scalars(select(QuestionnaireOption).where(
            QuestionnaireOption.question_id.in_(poll_of(round_id).with_only_columns(
                QuestionnaireQuestion.id)))):
        assert o.answer_count == options.get(o.id, 0)


# ---------------------------------------------------------------- permissions


def test_rules_for_each_kind_of_user(dept, official):
    r = load_round(make_round(dept).id)
    other = UserFactory(role="official", role__department=DepartmentFactory())
    admin = UserFactory(role="admin")
    citizen, unverified = UserFactory(), UserFactory(unverified=True)
    inactive = UserFactory(active=False)
    from flask_login import AnonymousUserMixin
    anonymous = AnonymousUserMixin()
    assert check(with_roles(citizen), "voting.vote", r)
    assert check(with_roles(official), "voting.vote", r)
    assert not check(with_roles(unverified), "voting.vote", r)
    assert not check(with_roles(inactive), "voting.vote", r)
    assert not check(anonymous, "voting.vote", r)
    assert check(with_roles(official), "voting.manage", r)
    for user in (with_roles(other), with_roles(admin), with_roles(citizen), anonymous):
        assert not check(user, "voting.manage", r)


# ---------------------------------------------------------------- poll questions


def test_official_adds_edits_and_deletes_questions_while_scheduled(dept, official):
    r = make_round(dept, scheduled=True)
    qid = add_question(official, r.id, options="  日间照料 \n\n助餐服务\n上门护理\n")
    (q,) = services.list_questions(load_round(r.id))
    assert [o.text for o in q.options] == ["日间照料", "助餐服务", "上门护理"]
    assert not q.multiple and q.position == 1
    with atomic():
        round_ = load_round(r.id)
        services.update_question(with_roles(official), round_,
                                 services.get_question(with_roles(official), round_, qid),
                                 text="您希望增加哪些服务？", kind="multiple",
                                 options="助餐服务\n日间照料")
    (q,) = services.list_questions(load_round(r.id))
    assert q.text == "您希望增加哪些服务？" and q.multiple
    assert [o.text for o in q.options] == ["助餐服务", "日间照料"]
    with atomic():
        round_ = load_round(r.id)
        services.update_question(with_roles(official), round_,
                                 services.get_question(with_roles(official), round_, qid),
                                 text="再问一次", kind="single", options="甲\n乙\n丙\n丁")
    (q,) = services.list_questions(load_round(r.id))
    assert [o.text for o in q.options] == ["甲", "乙", "丙", "丁"]
    second = add_question(official, r.id, text="第二个问题")
    assert [q.position for q in services.list_questions(load_round(r.id))] == [1, 2]
    with atomic():
        round_ = load_round(r.id)
        services.delete_question(with_roles(official), round_,
                                 services.get_question(with_roles(official), round_, qid))
    assert [q.id for q in services.list_questions(load_round(r.id))] == [second]
    assert db.session.scalar(select(func.count(QuestionnaireOption.id))) == 3
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["poll.question_added", "poll.question_changed",
                       "poll.question_changed", "poll.question_added",
                       "poll.question_deleted"]


@pytest.mark.parametrize("trait", ["open", "closed", "overdue"])
def test_questions_cannot_change_once_the_round_opened(dept, official, trait):
    r = make_round(dept, **({trait: True} if trait != "open" else {}))
    with pytest.raises(InvalidState):
        add_question(official, r.id)
    assert db.session.scalar(select(func.count(QuestionnaireQuestion.id))) == 0


def test_questions_only_on_vote_rounds(dept, official):
    r = make_round(dept, scheduled=True, kind=RoundKind.COMMENTS)
    with pytest.raises(ValidationFailed):
        add_question(official, r.id)
    r = make_round(dept, scheduled=True, kind=RoundKind.BOTH)
    assert add_question(official, r.id)


def test_only_officials_of_the_department_define_questions(dept, official):
    r = make_round(dept, scheduled=True)
    for user in (UserFactory(role="official", role__department=DepartmentFactory()),
                 UserFactory(), UserFactory(role="admin")):
        with pytest.raises(PermissionDenied):
            add_question(user, r.id)
    assert db.session.scalar(select(func.count(QuestionnaireQuestion.id))) == 0


@pytest.mark.parametrize("options, message", [
    ("只有一个", "at least 2"),
    ("\n".join(str(i) for i in range(11)), "at most 10"),
    ("相同\n相同", "different"),
    ("短\n" + "长" * 121, "at most 120"),
    ("", "at least 2"),
])
def test_options_are_validated(dept, official, options, message):
    r = make_round(dept, scheduled=True)
    with pytest.raises(ValidationFailed) as exc:
        add_question(official, r.id, options=options)
    assert message in str(exc.value.message) and exc.value.field == "options"


def test_question_text_is_required_and_at_most_ten_questions(dept, official):
    r = make_round(dept, scheduled=True)
    with pytest.raises(ValidationFailed) as exc:
        add_question(official, r.id, text="   ")
    assert exc.value.field == "text"
    for i in range(10):
        add_question(official, r.id, text=f"问题{i}")
    with pytest.raises(ValidationFailed) as exc:
        add_question(official, r.id, text="第十一个")
    assert "at most 10" in str(exc.value.message)


def test_question_of_another_round_is_not_found(dept, official):
    a, b = make_round(dept, scheduled=True), make_round(dept, scheduled=True)
    qid = add_question(official, a.id)
    with pytest.raises(NotFound):
        services.get_question(with_roles(official), load_round(b.id), qid)


def test_poll_questions_are_single_or_multiple_choice(dept, official):
    r = make_round(dept, scheduled=True)
    for kind in ("scale", "text", "ranking"):
        with pytest.raises(ValidationFailed) as exc:
            add_question(official, r.id, kind=kind)
        assert exc.value.field == "kind"
    assert db.session.scalar(select(func.count(QuestionnaireQuestion.id))) == 0


def test_official_moves_a_question_while_scheduled(dept, official):
    r = make_round(dept, scheduled=True)
    first, second, third = (add_question(official, r.id, text=t) for t in ("一", "二", "三"))
    with atomic():
        round_ = load_round(r.id)
        services.move_question(with_roles(official), round_,
                               services.get_question(with_roles(official), round_, third), by=-1)
    assert [q.id for q in services.list_questions(load_round(r.id))] == [first, third, second]
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())
                             .limit(1)) == "poll.question_moved"
    set_state(r.id, "open")
    with pytest.raises(InvalidState):
        with atomic():
            round_ = load_round(r.id)
            services.move_question(with_roles(official), round_,
                                   services.get_question(with_roles(official), round_, first), by=1)
    assert [q.id for q in services.list_questions(load_round(r.id))] == [first, third, second]


# ---------------------------------------------------------------- ballots


def test_cast_then_change_moves_every_counter_exactly(dept, official):
    round_id, (single, multi) = make_poll(dept, official)
    voter = UserFactory()
    s1, s2 = single.options[0].id, single.options[1].id
    m = [o.id for o in multi.options]
    ballot = cast(voter, round_id, "support", {single.id: [s1], multi.id: [m[0], m[1]]},
                  reason="  很好  ")
    assert ballot.stance is Stance.SUPPORT and ballot.reason == "很好"
    assert {c.option_id for c in ballot.choices} == {s1, m[0], m[1]}
    assert_counters_match(round_id)
    tally = db.session.get(VoteTally, round_id)
    assert (tally.support, tally.oppose) == (1, 0)
    assert db.session.get(QuestionnaireOption, s1).answer_count == 1

    ballot = cast(voter, round_id, "oppose", {single.id: [s2], multi.id: [m[1], m[2]]})
    db.session.expire_all()
    tally = db.session.get(VoteTally, round_id)
    assert (tally.support, tally.oppose) == (0, 1)
    counts = {o.id: o.answer_count for o in db.session.scalars(select(QuestionnaireOption))}
    assert counts[s1] == 0 and counts[s2] == 1
    assert [counts[i] for i in m] == [0, 1, 1, 0]
    assert db.session.get(Round, round_id).ballot_count == 1
    assert ballot.reason is None and ballot.updated_at >= ballot.created_at

    cast(voter, round_id, "oppose", {})  # drop every answer
    assert_counters_match(round_id)
    db.session.expire_all()
    assert db.session.get(QuestionnaireQuestion, multi.id).respondent_count == 0
    assert db.session.scalar(select(func.count(Ballot.id))) == 1


def test_every_vote_marks_the_participant(dept, official):
    round_id, _ = make_poll(dept, official)
    voter = UserFactory()
    cast(voter, round_id)
    cast(voter, round_id, "abstain")
    rows = list(db.session.scalars(select(RoundParticipant)))
    assert [(p.round_id, p.user_id) for p in rows] == [(round_id, voter.id)]
    assert db.session.get(Round, round_id).participant_count == 1


@pytest.mark.parametrize("state", ["scheduled", "closed", "overdue"])
def test_no_ballot_outside_open(dept, state):
    r = make_round(dept, **{state: True})
    with pytest.raises(InvalidState):
        cast(UserFactory(), r.id)
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


def test_closed_early_round_refuses_ballots(dept, official):
    round_id, _ = make_poll(dept, official)
    close_now(round_id)
    with pytest.raises(InvalidState):
        cast(UserFactory(), round_id)


def test_unverified_and_comment_rounds_refused(dept):
    r = make_round(dept)
    with pytest.raises(PermissionDenied):
        cast(UserFactory(unverified=True), r.id)
    c = make_round(dept, kind=RoundKind.COMMENTS)
    with pytest.raises(ValidationFailed):
        cast(UserFactory(), c.id)
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


@pytest.mark.parametrize("bad", ["stance", "reason", "foreign", "two", "garbage", "question"])
def test_invalid_ballots_save_nothing(dept, official, bad):
    round_id, (single, multi) = make_poll(dept, official)
    voter = UserFactory()
    kwargs = {"stance": "support", "answers": {single.id: [single.options[0].id]}}
    if bad == "stance":
        kwargs["stance"] = "maybe"
    elif bad == "reason":
        kwargs["reason"] = "长" * 2001
    elif bad == "foreign":  # an option of the other question
        kwargs["answers"] = {single.id: [multi.options[0].id]}
    elif bad == "two":
        kwargs["answers"] = {single.id: [o.id for o in single.options[:2]]}
    elif bad == "garbage":
        kwargs["answers"] = {multi.id: ["1; drop table ballot"]}
    else:
        kwargs["answers"] = {999999: [single.options[0].id]}
    with pytest.raises(ValidationFailed) as exc:
        cast(voter, round_id, **kwargs)
    assert exc.value.field in {"stance", "reason", f"q{single.id}", f"q{multi.id}", "poll"}
    assert db.session.scalar(select(func.count(Ballot.id))) == 0
    assert db.session.scalar(select(func.count(AnswerChoice.owner_id))) == 0
    assert_counters_match(round_id)


def test_counters_equal_recount_after_many_random_changes(dept, official):
    round_id, questions = make_poll(dept, official, questions=((False, 3), (True, 5), (False, 2)))
    voters = [UserFactory() for _ in range(12)]
    rng = random.Random(20261125)
    for step in range(150):
        answers = {}
        for q in questions:
            ids = [o.id for o in q.options]
            if rng.random() < 0.25:
                continue
            answers[q.id] = (rng.sample(ids, rng.randint(1, len(ids))) if q.multiple
                             else [rng.choice(ids)])
        cast(rng.choice(voters), round_id, rng.choice(list(Stance)).value, answers)
        if step % 25 == 0:
            assert_counters_match(round_id)
    assert_counters_match(round_id)
    assert db.session.get(Round, round_id).ballot_count == len(
        set(db.session.scalars(select(Ballot.user_id))))


# ---------------------------------------------------------------- results


def test_results_hidden_while_open_unless_live(dept, official):
    round_id, _ = make_poll(dept, official)
    cast(UserFactory(), round_id, "oppose")
    res = services.get_results(load_round(round_id))
    assert not res.visible and res.total == 0 and res.stances == [] and res.questions == []
    db.session.execute(Round.__table__.update().values(show_live_results=True))
    db.session.commit()
    res = services.get_results(load_round(round_id))
    assert res.visible and res.live and res.total == 1
    assert {b.key: b.count for b in res.stances}["oppose"] == 1


def test_results_after_close_have_counts_and_shares(dept, official):
    round_id, (single, multi) = make_poll(dept, official)
    voters = [UserFactory() for _ in range(4)]
    for i, voter in enumerate(voters):
        cast(voter, round_id, "support" if i < 3 else "abstain",
             {single.id: [single.options[0].id]} if i < 2 else {})
    close_now(round_id)
    db.session.commit()
    res = services.get_results(load_round(round_id))
    assert res.visible and not res.live and res.total == 4
    shares = {b.key: (b.count, b.share) for b in res.stances}
    assert shares["support"] == (3, 0.75) and shares["abstain"] == (1, 0.25)
    first = res.questions[0]
    assert first.respondents == 2 and first.bars[0].count == 2 and first.bars[0].share == 1.0
    assert res.questions[1].respondents == 0 and res.questions[1].bars[0].share == 0.0

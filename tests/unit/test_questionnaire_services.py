"""The questionnaire engine on its own, for both purposes: defining questions (checks,
positions, moves, audit entries as each purpose records them), checking a set of answers,
saving them for an owner with counters equal to a recount, owners of the two purposes kept
apart, results, and the forms (the question editor and the answer fields)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from consult.audit.models import AuditEntry
from consult.db import atomic
from consult.errors import NotFound, ValidationFailed
from consult.extensions import db
from consult.questionnaires import services
from consult.questionnaires.forms import AnsweringForm, QuestionForm, answer_form
from consult.questionnaires.models import (
    AnswerChoice,
    AnswerText,
    Purpose,
    QuestionKind,
    Questionnaire,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.questionnaires.services import Answers
from consult.surveys.models import SurveyAnswer
from consult.voting.models import Ballot
from tests.factories import RoundFactory, UserFactory, add_questionnaire

POLL, SURVEY = Purpose.POLL, Purpose.SURVEY


pytestmark = pytest.mark.usefixtures("keep_loaded")


@pytest.fixture
def round_(app):
    return RoundFactory(scheduled=True)


@pytest.fixture
def official(app):
    return UserFactory(role="admin")  # the engine does not authorize: its callers do


def add(actor, round_, purpose, text="您最关心哪一项？", kind="single", options="甲\n乙\n丙"):
    with atomic():
        return services.add_question(actor, round_, purpose, text=text, kind=kind,
                                     options=options)


def questions(round_, purpose):
    db.session.expire_all()
    return services.list_questions(round_.id, purpose)


def actions():
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def audit_data():
    return list(db.session.scalars(select(AuditEntry.data).order_by(AuditEntry.id)))


# ---------------------------------------------------------------- defining questions

@pytest.mark.parametrize("purpose, kinds", [
    (POLL, ["single", "multiple"]),
    (SURVEY, ["single", "multiple", "scale", "text"]),
])
def test_each_purpose_offers_its_kinds(purpose, kinds):
    rules = Questionnaire(purpose=purpose).rules
    assert [k.value for k in rules.kinds] == kinds
    for kind in QuestionKind:
        if kind.value in kinds:
            assert services.clean_kind(kind.value, rules) is kind
        else:
            with pytest.raises(ValidationFailed) as info:
                services.clean_kind(kind.value, rules)
            assert info.value.field == "kind"
    with pytest.raises(ValidationFailed):
        services.clean_kind("ranking", rules)


def test_questions_go_to_one_questionnaire_per_purpose(round_, official):
    first = add(official, round_, POLL, text="投票问题一")
    second = add(official, round_, POLL, text="投票问题二", kind="multiple")
    own = add(official, round_, SURVEY, text="问卷问题", kind="scale", options="ignored")
    assert [q.id for q in questions(round_, POLL)] == [first.id, second.id]
    assert [(q.id, q.position) for q in questions(round_, SURVEY)] == [(own.id, 1)]
    assert [o.text for o in questions(round_, SURVEY)[0].options] == ["1", "2", "3", "4", "5"]
    assert db.session.scalar(select(func.count(Questionnaire.id))) == 2
    assert questions(round_, POLL)[1].multiple and not questions(round_, POLL)[0].multiple
    assert actions() == ["poll.question_added", "poll.question_added",
                         "survey.question_added"]
    # Each purpose records the kind as it always has: polls say whether it is multiple.
    poll_entry, _, survey_entry = audit_data()
    assert poll_entry == {"question_id": first.id, "text": "投票问题一", "multiple": False,
                          "options": ["甲", "乙", "丙"]}
    assert survey_entry["kind"] == "scale" and "multiple" not in survey_entry


def test_a_question_of_another_purpose_or_round_is_not_found(app, round_, official):
    poll_question = add(official, round_, POLL)
    other = RoundFactory(scheduled=True)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(NotFound) as info:
            services.get_question(round_.id, SURVEY, poll_question.id)
        assert str(info.value.message) == "This survey question does not exist."
        with pytest.raises(NotFound) as info:
            services.get_question(other.id, POLL, poll_question.id)
        assert str(info.value.message) == "This poll question does not exist."
    with pytest.raises(NotFound):  # nor changed through the other questionnaire
        with atomic():
            services.update_question(official, round_, SURVEY, poll_question, text="改",
                                     kind="single", options="甲\n乙")
    assert questions(round_, POLL)[0].text == "您最关心哪一项？"


def test_update_changes_options_in_place_and_the_kind(round_, official):
    q = add(official, round_, SURVEY, kind="multiple", options="甲\n乙\n丙")
    with atomic():
        services.update_question(official, round_, SURVEY, q, text="改过", kind="single",
                                 options="丁\n戊\n己\n庚")
    (q,) = questions(round_, SURVEY)
    assert (q.text, q.kind) == ("改过", QuestionKind.SINGLE)
    assert [(o.position, o.text) for o in q.options] == [(1, "丁"), (2, "戊"), (3, "己"),
                                                         (4, "庚")]
    with atomic():
        services.update_question(official, round_, SURVEY, q, text="改为问答",
                                 kind="text", options="不用")
    (q,) = questions(round_, SURVEY)
    assert q.kind is QuestionKind.TEXT and q.options == []
    before, after = audit_data()[-1]["before"], audit_data()[-1]["after"]
    assert before["kind"] == "single" and after == {"text": "改为问答", "kind": "text",
                                                    "options": []}


@pytest.mark.parametrize("purpose, message", [
    (POLL, "A round can have at most 10 poll questions."),
    (SURVEY, "A survey can have at most 10 questions of your own."),
])
def test_at_most_ten_questions(app, round_, official, purpose, message):
    for i in range(10):
        add(official, round_, purpose, text=f"问题{i}")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationFailed) as info:
            add(official, round_, purpose, text="第十一个")
        assert str(info.value.message) == message and info.value.field == "text"
    assert len(questions(round_, purpose)) == 10


def test_move_swaps_neighbours_and_stays_at_the_ends(round_, official):
    a, b, c = (add(official, round_, POLL, text=t) for t in ("一", "二", "三"))
    with atomic():
        services.move_question(official, round_, POLL, c, by=-1)
    assert [q.text for q in questions(round_, POLL)] == ["一", "三", "二"]
    with atomic():
        services.move_question(official, round_, POLL, questions(round_, POLL)[0], by=-1)
    with atomic():
        services.move_question(official, round_, POLL, questions(round_, POLL)[2], by=1)
    assert [q.text for q in questions(round_, POLL)] == ["一", "三", "二"]
    with atomic():
        services.move_question(official, round_, POLL, questions(round_, POLL)[0], by=1)
    assert [q.text for q in questions(round_, POLL)] == ["三", "一", "二"]
    assert [q.position for q in questions(round_, POLL)] == [1, 2, 3]
    assert actions().count("poll.question_moved") == 2
    assert audit_data()[-1] == {"question_id": a.id, "text": "一", "before": 1, "after": 2}
    assert {b.id, c.id} <= {q.id for q in questions(round_, POLL)}


def test_delete_takes_options_and_answers_along(round_, official):
    q = add(official, round_, SURVEY, kind="single")
    keep = add(official, round_, SURVEY, kind="text", options="")
    with atomic():
        counts = services.save_answers(SURVEY, 7, Answers(chosen={q.id: {q.options[0].id}},
                                                          texts={keep.id: "留下"}),
                                       before=Answers())
        services.move_counts(counts)
    with atomic():
        services.delete_question(official, round_, SURVEY, q)
    assert [x.id for x in questions(round_, SURVEY)] == [keep.id]
    assert db.session.scalar(select(func.count(QuestionnaireOption.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(AnswerChoice)) == 0
    assert db.session.scalar(select(AnswerText.body)) == "留下"
    assert actions()[-1] == "survey.question_deleted"


# ---------------------------------------------------------------- checking answers

@pytest.fixture
def survey_questions(round_):
    made = add_questionnaire(round_.id, SURVEY, [
        ("单选", QuestionKind.SINGLE, ["甲", "乙", "丙"]),
        ("多选", QuestionKind.MULTIPLE, ["一", "二", "三", "四"]),
        ("打分", QuestionKind.SCALE, ["1", "2", "3", "4", "5"]),
        ("问答", QuestionKind.TEXT, []),
    ])
    return services.list_questions(round_.id, SURVEY), made


def test_clean_answers_keeps_what_was_answered(survey_questions):
    qs, ((single, s), (multi, m), (scale, sc), (free, _)) = survey_questions
    clean = services.clean_answers(SURVEY, qs, {
        str(single): [str(s[1])], multi: [m[0], " ", str(m[2])], scale: [""],
        free: ["  第一行\r\n第二行  "]})
    assert clean.chosen == {single: {s[1]}, multi: {m[0], m[2]}}
    assert clean.texts == {free: "第一行\n第二行"}
    assert clean.question_ids == {single, multi, free}
    assert clean.values() == {single: [str(s[1])], multi: sorted([str(m[0]), str(m[2])]),
                              free: ["第一行\n第二行"]}


@pytest.mark.parametrize("case, field, message", [
    ("foreign", "q{single}", "Choose one of the answers shown."),
    ("garbage", "q{multi}", "Choose one of the answers shown."),
    ("two", "q{single}", "Choose only one answer to this question."),
    ("two-scale", "q{scale}", "Choose only one answer to this question."),
    ("long", "q{free}", "Your answer can have at most 1000 characters."),
    ("question", "survey", "This question is not part of the survey."),
])
def test_clean_answers_refuses(app, survey_questions, case, field, message):
    qs, ((single, s), (multi, m), (scale, sc), (free, _)) = survey_questions
    given = {
        "foreign": {single: [m[0]]},
        "garbage": {multi: ["1; drop table ballot"]},
        "two": {single: [s[0], s[1]]},
        "two-scale": {scale: [sc[0], sc[4]]},
        "long": {free: ["长" * 1001]},
        "question": {"999999": [s[0]]},
    }[case]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationFailed) as info:
            services.clean_answers(SURVEY, qs, given)
        assert str(info.value.message) == message
    assert info.value.field == field.format(single=single, multi=multi, scale=scale,
                                            free=free)


def test_a_poll_names_its_own_foreign_question_message(app, round_):
    add_questionnaire(round_.id, POLL, [("问", QuestionKind.SINGLE, ["甲", "乙"])])
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationFailed) as info:
            services.clean_answers(POLL, services.list_questions(round_.id, POLL), {"x": ["1"]})
        assert str(info.value.message) == "This poll question is not part of the round."
    assert info.value.field == "poll"


# ---------------------------------------------------------------- saving answers

def recount(purpose):
    chosen = Counter(db.session.scalars(select(AnswerChoice.option_id)
                                        .where(AnswerChoice.purpose == purpose)))
    answered = Counter(q for q, _ in db.session.execute(
        select(AnswerChoice.question_id, AnswerChoice.owner_id)
        .where(AnswerChoice.purpose == purpose)
        .union(select(AnswerText.question_id, AnswerText.owner_id)
               .where(AnswerText.purpose == purpose))))
    return chosen, answered


def assert_counters_match(purpose):
    db.session.expire_all()
    chosen, answered = recount(purpose)
    qs = db.session.scalars(select(QuestionnaireQuestion).join(Questionnaire)
                            .where(Questionnaire.purpose == purpose)).all()
    for q in qs:
        assert q.respondent_count == answered.get(q.id, 0), q.text
        for o in db.session.scalars(select(QuestionnaireOption)
                                    .where(QuestionnaireOption.question_id == q.id)):
            assert o.answer_count == chosen.get(o.id, 0), o.text


def save(owner_id, answers, *, new=False, purpose=SURVEY):
    with atomic():
        counts = services.save_answers(purpose, owner_id, answers,
                                       before=Answers() if new else None)
        services.move_counts(counts)
    return counts


def test_save_then_change_moves_counters_exactly(survey_questions):
    _, ((single, s), (multi, m), (scale, sc), (free, _)) = survey_questions
    counts = save(1, Answers(chosen={single: {s[0]}, multi: {m[0], m[1]}},
                             texts={free: "写了"}), new=True)
    assert counts.questions == {single: 1, multi: 1, free: 1}
    assert counts.options == {s[0]: 1, m[0]: 1, m[1]: 1}
    assert_counters_match(SURVEY)
    assert services.read_answers(SURVEY, 1) == Answers(
        chosen={single: {s[0]}, multi: {m[0], m[1]}}, texts={free: "写了"})
    counts = save(1, Answers(chosen={single: {s[2]}, multi: {m[1]}, scale: {sc[3]}},
                             texts={free: "改了"}))
    assert counts.questions == {scale: 1}
    assert counts.options == {s[0]: -1, s[2]: 1, m[0]: -1, sc[3]: 1}
    assert db.session.scalar(select(AnswerText.body)) == "改了"
    counts = save(1, Answers())  # every answer taken back
    assert counts.questions == {single: -1, multi: -1, scale: -1, free: -1}
    assert_counters_match(SURVEY)
    assert db.session.scalar(select(func.count()).select_from(AnswerText)) == 0
    assert services.read_answers(SURVEY, 1) == Answers()


def test_counters_equal_a_recount_after_many_random_changes(survey_questions):
    qs, made = survey_questions
    round_id = _round_of(qs[0])
    multiple = {q.id for q in qs if q.multiple}
    rng = random.Random(20261202)
    seen: set[int] = set()
    for step in range(120):
        owner = rng.randint(1, 8)
        given = {}
        for qid, ids in made:
            if rng.random() < 0.3:
                continue
            given[qid] = ([rng.choice(["", "意见", "另一条意见"])] if not ids
                          else rng.sample(ids, rng.randint(1, 3)) if qid in multiple
                          else [rng.choice(ids)])
        questions_ = services.list_questions(round_id, SURVEY)
        save(owner, services.clean_answers(SURVEY, questions_, given), new=owner not in seen)
        seen.add(owner)
        if step % 30 == 0:
            assert_counters_match(SURVEY)
    assert_counters_match(SURVEY)


def test_owners_of_the_two_purposes_never_mix(app, round_):
    """A ballot and a survey answer may have the same id: their answers stay apart."""
    (poll_q, poll_opts), = add_questionnaire(round_.id, POLL, [
        ("投票问题", QuestionKind.SINGLE, ["甲", "乙"])])
    (survey_q, survey_opts), (text_q, _) = add_questionnaire(round_.id, SURVEY, [
        ("问卷问题", QuestionKind.SINGLE, ["丙", "丁"]), ("问答", QuestionKind.TEXT, [])])
    user = UserFactory()
    ballot = Ballot(round_id=round_.id, user_id=user.id, stance="support")
    answer = SurveyAnswer(round_id=round_.id, user_id=user.id, satisfaction="satisfied",
                          rating=5, clarity=5, heard="yes")
    db.session.add_all([ballot, answer])
    db.session.commit()
    assert ballot.id == answer.id  # the first row of each table
    save(ballot.id, Answers(chosen={poll_q: {poll_opts[1]}}), new=True, purpose=POLL)
    save(answer.id, Answers(chosen={survey_q: {survey_opts[0]}}, texts={text_q: "好"}),
         new=True)
    save(answer.id, Answers(chosen={survey_q: {survey_opts[1]}}, texts={text_q: "好"}))
    assert services.read_answers(POLL, ballot.id).chosen == {poll_q: {poll_opts[1]}}
    db.session.expire_all()
    loaded = db.session.scalar(select(Ballot).where(Ballot.id == ballot.id)
                               .options(selectinload(Ballot.choices)))
    assert [(c.question_id, c.option_id) for c in loaded.choices] == [(poll_q, poll_opts[1])]
    survey = db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.id == answer.id)
                               .options(selectinload(SurveyAnswer.choices),
                                        selectinload(SurveyAnswer.texts)))
    assert [c.option_id for c in survey.choices] == [survey_opts[1]]
    assert [t.body for t in survey.texts] == ["好"]
    assert_counters_match(POLL)
    assert_counters_match(SURVEY)


# ---------------------------------------------------------------- showing

def test_summary_and_results(survey_questions):
    qs, ((single, s), (multi, m), (scale, sc), (free, _)) = survey_questions
    save(1, Answers(chosen={single: {s[1]}, multi: {m[3], m[0]}, scale: {sc[4]}},
                    texts={free: "多开说明会。"}), new=True)
    save(2, Answers(chosen={scale: {sc[1]}}), new=True)
    summary = services.summarize(qs, services.read_answers(SURVEY, 1))
    assert [(q.text, said) for q, said in summary] == [
        ("单选", ["乙"]), ("多选", ["一", "四"]), ("打分", ["5"]), ("问答", ["多开说明会。"])]
    db.session.expire_all()
    results = services.question_results(services.list_questions(_round_of(qs[0]), SURVEY))
    by_text = {r.question.text: r for r in results}
    assert by_text["打分"].respondents == 2 and by_text["打分"].mean == pytest.approx(3.5)
    assert [(b.label, b.count, b.share) for b in by_text["单选"].bars] == [
        ("甲", 0, 0.0), ("乙", 1, 1.0), ("丙", 0, 0.0)]
    assert by_text["问答"].respondents == 1 and by_text["问答"].bars == []
    assert by_text["单选"].mean is None and by_text["多选"].bars[0].key == str(m[0])


def _round_of(question) -> int:
    return db.session.scalar(select(Questionnaire.round_id)
                             .where(Questionnaire.id == question.questionnaire_id))


# ---------------------------------------------------------------- forms

def test_question_form_asks_polls_for_more_than_one_answer(app):
    data = MultiDict({"text": "问题", "kind": "scale", "options": "甲\n乙", "multiple": "y"})
    with app.test_request_context(method="POST", data=data):
        poll = QuestionForm(purpose=POLL, meta={"csrf": False})
        survey = QuestionForm(purpose=SURVEY, meta={"csrf": False})
        assert poll.validate() and survey.validate()
        # A poll question is single or multiple choice: its checkbox decides, not "kind".
        assert poll.question_data() == {"text": "问题", "kind": QuestionKind.MULTIPLE,
                                        "options": "甲\n乙"}
        assert survey.question_data()["kind"] == "scale"
        assert [k for k, _ in poll.kind.choices] == ["single", "multiple"]
    with app.test_request_context(method="POST", data={"text": "问题"},
                                  headers={"Accept-Language": "en"}):
        poll = QuestionForm(purpose=POLL, meta={"csrf": False})
        survey = QuestionForm(purpose=SURVEY, meta={"csrf": False})
        assert not poll.validate()  # every poll question has options
        assert poll.options.errors == ["Give at least 2 answers, one per line."]
        assert survey.validate()  # a survey's scale or free text has none
        assert poll.question_data()["kind"] is QuestionKind.SINGLE


def test_answer_form_has_a_field_per_question(app, survey_questions):
    qs, ((single, s), (multi, m), _, (free, _f)) = survey_questions

    class OwnForm(AnsweringForm):
        pass

    data = MultiDict([(f"q{single}", str(s[0])), (f"q{single}", str(s[1])),
                      (f"q{multi}", str(m[2])), (f"q{free}", "写点什么")])
    with app.test_request_context(method="POST", data=data):
        form = answer_form(OwnForm, qs, meta={"csrf": False})
        # Every value sent reaches the service, which refuses two for a single choice.
        assert form.answers() == {single: [str(s[0]), str(s[1])], multi: [str(m[2])],
                                  qs[2].id: [], free: ["写点什么"]}
        assert form.service_data() == {}
        form.add_service_error(ValidationFailed("错", field=f"q{single}"))
        assert form.all_errors == [(f"q{single}", "单选", "错")]
    with app.test_request_context():
        form = answer_form(OwnForm, qs, meta={"csrf": False})
        form.fill(Answers(chosen={multi: {m[1], m[0]}}, texts={free: "原来的"}))
        assert form.answer_field(qs[1]).data == sorted([str(m[0]), str(m[1])])
        assert form.answer_field(qs[0]).data == [] and form.answers()[free] == ["原来的"]

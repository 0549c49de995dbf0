"""Who sees a consultation before it is published (issue 17, class 7): only the
officials of its department, on their management pages. Every evaluation page, the
printable report and every evaluation export, walked as an evaluator and as an
administrator with the draft's ids in every parameter, neither show it nor its rounds
(404 where it is asked for by id)."""

from __future__ import annotations

from consult.db import atomic
from tests.factories import (
    ConsultationFactory,
    RoundFactory,
    UserFactory,
    evaluated_round,
    scores_world,
    survey_answer,
)

MARK = "内部草案X17"


def test_evaluation_never_shows_an_unpublished_consultation(app, client, login_as, capsys):
    world = scores_world()
    draft = ConsultationFactory(department=world["dept_a"], title=MARK, unpublished=True)
    draft_round = evaluated_round(draft)
    RoundFactory(version__consultation=draft, title=MARK + "轮")
    with atomic():
        for user in UserFactory.create_batch(6):
            survey_answer(draft_round, user)
    dept = world["dept_a"].id
    args = [{}, {"department": dept}, {"consultation": draft.id}, {"department": dept,
                                                                   "consultation": draft.id}]
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("evaluation.")]
    seen = leaks = 0
    problems = []
    for role in ("evaluator", "admin"):
        login_as(UserFactory(role=role))
        for rule in rules:
            values = {"department_id": dept, "consultation_id": draft.id,
                      "round_id": draft_round.id}
            tables = ["departments", "months", "consultations", "rounds"] \
                if "table" in rule.arguments else [None]
            for table in tables:
                if table:
                    values["table"] = table
                url = rule.build({k: values[k] for k in rule.arguments})[1]
                for query in args:
                    response = client.get(url, query_string=query)
                    seen += 1
                    body = response.get_data(as_text=True)
                    if MARK in body or response.status_code >= 500:
                        leaks += 1
                        problems.append(f"{role} {url} {query} {response.status_code}")
    with capsys.disabled():
        print(f"\ndraft walk: {len(rules)} evaluation routes x {len(args)} argument sets x "
              f"2 roles = {seen} requests, {leaks} showing the unpublished consultation")
    assert not problems, "\n".join(problems)

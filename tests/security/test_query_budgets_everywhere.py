"""No N+1 anywhere: every GET page, as every role, issues the same number of SQL
statements after the world has grown tenfold (more comments, replies, supports, questions,
answers, ballots, suggestions, flags, notifications, users) as before.

Complements the per-page budget tests (which also bound the absolute number): a page that
loads a relation per row shows up here whatever page it is, including pages added later.
"""

from __future__ import annotations

from consult.db import atomic
from consult.extensions import db
from tests.factories import UserFactory
from tests.security.test_hardening import _get_urls
from tests.security.world import ROLES, fresh

GROWTH = 12


def _grow(world, times: int) -> None:
    """Everything the world has, many times over, made by the services as users make it."""
    from consult.moderation.services import flag_item
    from consult.participation.models import Comment, Question
    from consult.participation.services.comments import post_comment, set_comment_support
    from consult.participation.services.questions import (
        answer_question,
        ask_question,
        get_question,
        set_question_support,
    )
    from consult.rounds.models import Round
    from consult.suggestions.services import add_comment, add_support, submit_suggestion
    from consult.voting.services import cast_ballot

    official = fresh(world.users["official_a"])
    for i in range(times):
        i += 100 * times  # texts differ between the two growths
        user = fresh(UserFactory())
        r = db.session.get(Round, world.round.id)
        with atomic():
            comment = post_comment(user, r, body=f"第{i}条意见：建议延长服务时间。")
            post_comment(user, r, body=f"回复{i}", parent_id=world.comment.id)
            post_comment(fresh(world.users["author"]), r, body=f"回复回复{i}",
                         parent_id=comment.id)
            set_comment_support(user, db.session.get(Comment, world.comment.id),
                                supported=True)
            question = ask_question(user, r, body=f"第{i}个问题：经费从哪里来？")
            set_question_support(user, db.session.get(Question, world.question.id),
                                 supported=True)
            cast_ballot(user, r, stance=("support", "oppose", "abstain")[i % 3])
            suggestion = submit_suggestion(
                user, department_id=world.dept_a.id, title=f"第{i}号建议：小区路灯需要更换",
                problem="晚上看不清路。", proposal="换亮一点的灯。")
            add_comment(fresh(world.users["citizen"]), suggestion, body=f"同意{i}")
            add_support(fresh(world.users["citizen"]), suggestion)
            flag_item(fresh(world.users["citizen"]), comment, reason="spam")
        _grow_channels(official, world, user, i)
        if i % 2 == 0:
            with atomic():
                answer_question(official, get_question(official, question.id),
                                body=f"答复{i}：由市财政安排。")


def _grow_channels(official, world, user, i) -> None:
    """Recorded letters and hearing applications grow with the rest."""
    from consult.channels import services
    from consult.channels.models import Hearing
    from consult.clock import now
    from consult.rounds.services import get_round
    from consult.workdays import local_day

    with atomic():
        services.record_opinion(official, get_round(official, world.round.id),
                                channel="phone", received_on=local_day(now()),
                                sender_name=f"来电{i}", body=f"电话意见{i}")
        services.apply_to_attend(user, db.session.get(Hearing, 1), statement=f"发言{i}")


def _measure(app, client, login_as, world, count_queries) -> dict[tuple[str, str], int]:
    counts = {}
    for role in ROLES:
        client.delete_cookie("session")
        if role != "visitor":
            login_as(world.users[role])
        for _endpoint, url in _get_urls(app, world.ids()):
            client.get(url)  # per-process memos warm, as on a running server
            with count_queries() as seen:
                response = client.get(url)
            if response.status_code == 200:
                counts[(role, url)] = len(seen)
    return counts


def test_no_page_queries_more_as_the_data_grows(app, client, login_as, world, count_queries):
    app.config["PAGE_CACHE"] = False  # measure the reads, not the cache
    _grow(world, 2)  # every list has rows (a flag, an answer...), as later
    before = _measure(app, client, login_as, world, count_queries)
    _grow(world, GROWTH)
    after = _measure(app, client, login_as, world, count_queries)
    grown = {key: (before[key], after[key]) for key in before
             if key in after and after[key] > before[key]}
    assert len(before) > 150, len(before)  # the crawl reached the pages
    assert not grown, "pages whose queries grew with the data (before, after):\n" + "\n".join(
        f"{role} {url}: {b} -> {a}" for (role, url), (b, a) in sorted(grown.items()))
    print(f"\nquery counts unchanged by {GROWTH}x growth on {len(before)} role x page pairs")

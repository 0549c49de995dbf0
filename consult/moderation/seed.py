"""Demo moderation (runs after participation's seed): flags on demo comments, one hidden
comment with its public reason and the author's appeal, a sensitive word and one post it
held, one suspended account. All through the services; skipped when any moderation case
exists (idempotent) or when there are no demo comments in an open round."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.accounts.models import User
from consult.consultations.models import Consultation
from consult.db import db
from consult.moderation import services
from consult.moderation.models import ModerationCase, SensitiveTerm
from consult.participation import services as participation
from consult.participation.models import Comment, ContentStatus
from consult.rounds import lifecycle
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round

SENSITIVE_WORD = "加微信"
PATTERN = r"1[3-9]\d{9}"  # a mainland mobile number: personal data


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def seed() -> None:
    if db.session.scalar(select(ModerationCase.id).limit(1)) is not None:
        return
    admin, moderator = _user("admin@example.org"), _user("moderator@example.org")
    if admin is None or moderator is None:
        return
    open_rounds = [r for r in db.session.scalars(
        select(Round).join(Consultation, Consultation.id == Round.consultation_id)
        .where(Consultation.published_at.is_not(None))
        .options(joinedload(Round.consultation).joinedload(Consultation.department),
                 joinedload(Round.version)).order_by(Round.id))
        if lifecycle.state_of(r) is RoundState.OPEN and r.kind.has_comments]
    if not open_rounds:
        return
    round_ = open_rounds[0]
    comments = list(db.session.scalars(
        select(Comment).where(Comment.round_id == round_.id,
                              Comment.status == ContentStatus.PUBLISHED)
        .order_by(Comment.id).limit(6)))
    emails = ["citizen@example.org", "citizen2@example.org", "citizen3@example.org"] + [
        f"resident{i}@example.org" for i in range(1, 6)]
    citizens = [u for u in (_user(e) for e in emails) if u is not None]
    if len(comments) < 3 or not citizens:
        return
    _seed(admin, moderator, round_, comments, citizens)


def _flag(user, comment, reason, note=None) -> None:
    if user.id != comment.author_id:
        services.flag_item(user, comment, reason=reason, note=note)


def _seed(admin, moderator, round_, comments, citizens) -> None:
    # Flags on two comments (several people, several reasons).
    for i, user in enumerate(citizens[:4]):
        _flag(user, comments[0], ("spam", "off_topic", "spam", "spam")[i])
    for user in citizens[4:6]:
        _flag(user, comments[1], "misinformation", "数字与公开统计不符")
    # One comment hidden with a public reason; its author appeals.
    hidden = comments[2]
    for user in citizens[:3]:
        _flag(user, hidden, "abuse")
    services.hide_item(moderator, hidden, reason="含有针对他人的侮辱性言论")
    author = db.session.get(User, hidden.author_id)
    if author is not None:
        services.appeal_item(author, hidden,
                             text="我的话是批评物业服务，并没有针对个人，请复核。")
    # The sensitive-word list and one post it held.
    for pattern, is_pattern in ((SENSITIVE_WORD, False), (PATTERN, True)):
        if db.session.scalar(select(SensitiveTerm.id).where(SensitiveTerm.pattern == pattern)) \
                is None:
            services.add_term(admin, pattern=pattern, is_pattern=is_pattern)
    poster = citizens[-1]
    participation.post_comment(poster, round_, body=(
        f"社区团购更便宜，想了解的{SENSITIVE_WORD} xiaoli2026，名额有限。"))
    # One suspended demo account (reads, cannot post).
    spammer = _user("resident6@example.org")
    if spammer is not None and not spammer.is_suspended:
        services.suspend_user(moderator, spammer, days=14,
                              reason="短时间内多次发布相同的广告内容")

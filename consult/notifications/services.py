"""Follows and notifications: the one general mechanism every domain raises events through.

How other domains call it (all inside the action's transaction, never committing):

``notify(user_ids, kind, *, link, actor=None, consultation_id=None, **data)``
    Tell some users something. ``user_ids`` is an iterable of ids *or* a SQLAlchemy
    ``Select`` of user ids (then the recipients are computed in SQL, bounded work).
    One ``INSERT ... SELECT`` writes every row, the actor is skipped, inactive users are
    skipped, each recipient's ``User.unread_notifications`` is incremented in SQL, and
    e-mails are queued with ``consult.mail.send_mail`` (sent only after commit, none on
    rollback) for the recipients whose preferences want e-mail for ``kind``, each in
    their own language (template ``notifications/email/<kind>.txt``, subject on the
    first line). ``link`` is a site path ("/rounds/3/comments#comment-7"); ``data`` are
    JSON-able ids and short snapshot texts used to render the message later (in the
    reader's language, so never store translated sentences). Returns nothing.

``notify_followers(consultation_id, kind, *, link, actor=None, round_id=None, **data)``
    The same for everyone who follows the consultation; with ``round_id`` also for
    everyone who took part in that round (``RoundParticipant``), each person once.
    Constant number of queries whatever the number of followers.

Event helpers (thin wrappers that build link and data, then call the two above):

``round_opened(round_)``        followers of the consultation;   link /rounds/<id>
``round_closed(round_)``        followers + participants;         link /rounds/<id>
    (called by ``rounds.lifecycle.close`` and ``lifecycle.tick``; ``round_`` needs
    ``id``, ``consultation_id``, ``title``)
``replied(comment, parent)``    the author of ``parent`` (not when replying to oneself);
    link /rounds/<round_id>/comments#comment-<id>. Both objects need ``id``,
    ``round_id``, ``author_id``; ``comment.body`` gives a short excerpt.
``question_answered(question, *, actor=None, supporters=None)``   the asker, plus
    ``supporters`` (ids or a ``Select`` of user ids, e.g. the "I want to know too"
    supporters); link /rounds/<round_id>/questions#question-<id>. ``question`` needs
    ``id``, ``round_id``, ``author_id``; an optional ``answer``/``answer_body`` text
    gives an excerpt; ``actor`` is the answering official (never notified).
``response_published(round_, *, actor=None)``   followers + participants of the round;
    link /rounds/<id>/response.

Kinds are ``NotificationKind`` values (round_opened, round_closed, reply,
question_answered, response_published); add a member, an e-mail template and a
message in ``templates/notifications/_message.html`` to add an event.

E-mail defaults (``DEFAULT_EMAIL``): on for reply, question_answered and
response_published (someone answered *you*, or the outcome you took part in is out);
off for round_opened and round_closed (in-app only unless the user turns them on, to
keep inboxes quiet for people who follow many consultations). In-app notifications
are always kept. A user's choices are rows of ``NotificationPreference``; a missing
row means the default.

Follows: ``follow(actor, consultation)`` / ``unfollow(actor, consultation)`` are
idempotent (insert-or-ignore on the (user, consultation) primary key);
``get_followable(actor, consultation_id)`` 404s for unpublished consultations.
"""

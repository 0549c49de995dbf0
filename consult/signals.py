"""Every event one domain tells the domains above it, in one place.

Imports flow one way (core ← accounts ← consultations ← rounds ← … ← notifications,
moderation); when a lower domain must let a higher one react, it sends one of these
signals and the higher domain connects its receiver in its ``init_app`` (called by
``create_app``). Receivers run synchronously inside the sender's transaction: what they
write commits or rolls back with the action; mail and jobs go after commit
(``consult.db.on_commit``). A receiver that raises aborts the action, as a direct call
would.

Each signal's sender is the object it is about; keyword arguments are listed beside it.
``send`` returns ``[(receiver, result), …]``; a sender that needs an answer says so.
(blinker, as Flask's own signals and Indico's ``core/signals``.)
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# ---------------------------------------------------------------- accounts
account_deleting = _signals.signal("account-deleting", doc="""
Sender: the User whose account is being erased; ``remove_open_content`` (bool). Sent
before personal data goes. Receivers withdraw what the user asked to withdraw and return
a dict of counts (``{"comments": 2}``), which the deletion adds up and reports.""")

# ---------------------------------------------------------------- rounds
round_opened = _signals.signal("round-opened", doc="Sender: the Round that just opened.")
round_closed = _signals.signal("round-closed", doc="""
Sender: the Round that just closed (by the clock or early by an official).""")
rounds_ticked = _signals.signal("rounds-ticked", doc="""
Sender: None. ``flask rounds tick`` ran (after its own commit); receivers may do periodic
work such as counting ahead for the evaluation dashboard. Not inside a user action.""")

# ------------------------------------------------------- posts (participation, suggestions)
content_posted = _signals.signal("content-posted", doc="""
Sender: a newly posted or edited item the public may read (a comment, question, agenda
suggestion or suggestion comment; never a confidential comment, which only its department
reads); ``actor``. Moderation screens it and may set its status
to held; the sender checks ``item.status`` afterwards and counts it only when published.""")
opinion_received = _signals.signal("opinion-received", doc="""
Sender: a new top-level Comment posted online (with its receipt code); ``actor``. Channels
e-mails the author the receipt.""")
comment_replied = _signals.signal("comment-replied", doc="""
Sender: the reply (a Comment); ``parent``: the comment replied to (a different author).""")
question_answered = _signals.signal("question-answered", doc="""
Sender: the answered Question; ``actor``; ``supporters``: a SELECT of the user ids that
wanted to know too.""")
suggestion_answered = _signals.signal("suggestion-answered", doc="""
Sender: the Suggestion; ``event``: its SuggestionEvent (answer or transfer); ``actor``.""")

# ---------------------------------------------------------------- responses and surveys
response_published = _signals.signal("response-published", doc="""
Sender: the Round whose response was just published; ``actor``.""")
survey_opened = _signals.signal("survey-opened", doc="""
Sender: the Round whose satisfaction survey opened (with its response); receivers invite
its participants.""")
suggestion_rated = _signals.signal("suggestion-rated", doc="""
Sender: the SuggestionRating just given or changed by the author; ``suggestion``;
``actor``; ``first``: True when this answer had not been rated. Rectification counts it
and opens a case for a 差评.""")
survey_sample_drawn = _signals.signal("survey-sample-drawn", doc="""
Sender: the SurveySample just drawn by an evaluator (随机回访); ``round_``: its Round;
``user_ids``: its members. Notifications invites them to the survey.""")
survey_answered = _signals.signal("survey-answered", doc="""
Sender: the SurveyAnswer just given or changed by its author; ``round_``: its Round;
``actor``; ``first``: True for a new answer. Rectification opens a case for a bad rating
(差评).""")

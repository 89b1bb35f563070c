"""Acting from an e-mail: sign the links, show what a link will record, record it once.

The signed token is the only authority: it names the user, the action and the
application, so the pages need no sign-in (and no CSRF token: a forged form cannot
hold a valid token it never saw). `show` never writes (mail scanners open every
link). `perform` records through the same use cases as the API (`records`), so the
same validation and status rules apply, and claims the link in the same transaction
as its write, so the same link posted twice records once. See docs/behaviour.md,
"Actions from e-mail".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from bounceback.domain.actions import (
    CHANNEL_WHY,
    Choice,
    choices_for,
    done_text,
    offers,
    question,
)
from bounceback.domain.model import REJECTION_CHANNELS, Application, Profile
from bounceback.domain.planner import ActionLink, PlannedEmail
from bounceback.errors import Conflict, Invalid, NotFound
from bounceback.ports import (
    ActionGrant,
    ActionRecords,
    ActionTokens,
    AlreadyRecorded,
    Identity,
    InvalidToken,
    RecordStore,
)
from bounceback.usecases import records

# A used link is remembered a little longer than it stays valid.
KEEP_USED_LINKS = timedelta(days=31)


# ------------------------------------------------------------------ links in e-mails


def act_url(base_url: str, action: str, token: str) -> str:
    return f"{base_url}/act?a={action}&token={token}"


def with_action_links(
    email: PlannedEmail, tokens: ActionTokens, user_id: str, base_url: str, now: datetime
) -> PlannedEmail:
    """`email` with each section's action links signed for `user_id` (see `offers`)."""
    nudges = []
    last = len(email.nudges) - 1
    for index, nudge in enumerate(email.nudges):
        section: Any = nudge.section
        offered = offers(nudge.kind, section, last_of_scheduled=email.scheduled and index == last)
        if not offered or "actions" not in {f.name for f in fields(section)}:
            nudges.append(nudge)
            continue
        links = tuple(
            ActionLink(
                o.action,
                o.label,
                act_url(base_url, o.action, tokens.issue(user_id, o.action, o.application_id, now)),
            )
            for o in offered
        )
        nudges.append(replace(nudge, section=replace(section, actions=links)))
    return replace(email, nudges=tuple(nudges))


# ------------------------------------------------------------------ the pages


@dataclass(frozen=True, slots=True)
class Prompt:
    """The GET page: what will be recorded, and the choices (if the action needs one)."""

    title: str
    question: str
    token: str
    choices: tuple[Choice, ...]
    why: str | None
    button: str


@dataclass(frozen=True, slots=True)
class Answer:
    """Any other page: what happened, with its HTTP status."""

    status: int
    title: str
    message: str


def link_key(token: str) -> str:
    """A used link is remembered by this digest, never by the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


_BAD_LINK = Answer(
    400,
    "This link does not work",
    "This link is not valid: it may have been cut short, changed, or be more than 30 days "
    "old. Open Bounceback to record it there.",
)
_GONE = Answer(
    404,
    "Application not found",
    "This application is no longer in Bounceback (it may have been deleted), so there is "
    "nothing to record.",
)


class _Refused(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.message)
        self.answer = answer


def _grant(
    tokens: ActionTokens, store: RecordStore, token: str, now: datetime
) -> tuple[ActionGrant, Profile, Application | None]:
    """The link's grant, its user's profile (a link outlives no erasure) and its
    application (when it names one), read together."""
    try:
        grant = tokens.verify(token, now)
    except InvalidToken as exc:
        raise _Refused(_BAD_LINK) from exc
    stored = None
    if grant.application_id is None:
        profile = store.get_profile(grant.user_id)
    else:
        stored, profile = store.get_application_with_profile(grant.user_id, grant.application_id)
    if profile is None:  # the user erased their data
        raise _Refused(_BAD_LINK)
    if grant.application_id is not None and stored is None:
        raise _Refused(_GONE)
    return grant, profile, stored.application if stored is not None else None


def _already() -> Answer:
    return Answer(
        200,
        "Already recorded",
        "This was already recorded from this link, so nothing new was added.",
    )


def _names(app: Application | None) -> tuple[str | None, str | None]:
    return (app.company, app.role) if app else (None, None)


def show(
    tokens: ActionTokens, store: ActionRecords, token: str | None, now: datetime
) -> Prompt | Answer:
    """The page behind a link: checks the token and says what a POST would record.

    Changes nothing.
    """
    try:
        grant, _, app = _grant(tokens, store, token or "", now)
    except _Refused as refused:
        return refused.answer
    if grant.action != "outcome" and store.was_used(grant.user_id, link_key(token or "")):
        return _already()
    company, role = _names(app)
    choices = choices_for(grant.action)
    return Prompt(
        title="Record from your e-mail",
        question=question(grant.action, company, role),
        token=token or "",
        choices=choices,
        why=CHANNEL_WHY if grant.action == "rejected" else None,
        button="Pause for a week" if grant.action == "pause_week" else "Record it",
    )


def perform(
    tokens: ActionTokens,
    store: ActionRecords,
    token: str | None,
    choice: str | None,
    now: datetime,
) -> Answer:
    """Record what the link stands for, at most once per link; the answer page."""
    token = token or ""
    try:
        grant, profile, app = _grant(tokens, store, token, now)
    except _Refused as refused:
        return refused.answer
    allowed = {c.value for c in choices_for(grant.action)}
    choice = (choice or "").strip() or None
    if allowed and choice not in allowed:
        return Answer(
            400,
            "Please choose one option",
            "Nothing was recorded: pick one of the options on the page and send it again.",
        )
    if not allowed and choice is not None:
        return Answer(400, "Unexpected choice", "Nothing was recorded: this link takes no choice.")
    company, role = _names(app)
    if grant.action == "outcome" and choice == "nothing":
        return Answer(
            200,
            "Nothing recorded",
            "Nothing was recorded. Use the link again when you hear back.",
        )
    # No read of the used-link marker first: the write claims it in its own
    # transaction, and a claimed link refuses the write (AlreadyRecorded).
    key = link_key(token)
    once = store.once(grant.user_id, key, grant.issued_at + KEEP_USED_LINKS)
    # The link speaks for the user at the address the profile has: the writes' own
    # check (that address, room under the ceilings) holds as for the API.
    identity = Identity(user_id=grant.user_id, email=profile.email)
    try:
        _record(once, identity, grant, choice, now)
    except AlreadyRecorded:
        return _already()
    except (NotFound, Conflict, Invalid) as exc:
        # Refused before the write, so the marker was not tried: a link used before
        # (a second "they said no" is also an impossible change) says so instead.
        if store.was_used(grant.user_id, key):
            return _already()
        if isinstance(exc, NotFound):
            return _GONE
        if isinstance(exc, Conflict):
            return Answer(
                409, "Nothing was recorded", f"This cannot be recorded now: {exc.message}."
            )
        return Answer(400, "Nothing was recorded", f"This cannot be recorded: {exc.message}.")
    return Answer(200, "Recorded", done_text(grant.action, choice, company, role))


def _record(
    store: RecordStore, identity: Identity, grant: ActionGrant, choice: str | None, now: datetime
) -> None:
    action, app_id = grant.action, grant.application_id or ""
    if action == "pause_week":
        profile: Profile | None = store.get_profile(identity.user_id)
        today = records.local_today(profile, now)
        until = today + timedelta(days=6)
        if profile is not None and profile.paused_until and profile.paused_until > until:
            until = profile.paused_until
        records.update_profile(store, identity, {"paused_until": until}, now)
        return
    if action == "log_activity":
        records.log_activity(store, identity, {"kind": choice}, now)
        return
    event: dict[str, Any]
    if action == "followed_up":
        event = {"type": "follow_up_sent"}
    elif action == "no_response":
        event = {"type": "no_response"}
    elif action == "feedback_received":
        event = {"type": "feedback_received"}
    elif action == "rejected" or choice in REJECTION_CHANNELS:
        event = {"type": "rejection", "channel": choice}
    elif action == "outcome" and choice in ("offer", "interview"):
        event = {"type": choice}
    else:  # pragma: no cover - every action and choice is handled above
        raise ValueError(f"unhandled action {action!r} / {choice!r}")
    records.record_event(store, identity, app_id, event, now)

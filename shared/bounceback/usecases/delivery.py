"""The sender's use case: one user in, at most the e-mails the planner says are due out.

For each e-mail due now (`plan(state, now).due`):

1. claim its key (``SEND#day:<date>`` or ``SEND#event:<id>``) with a conditional write,
   in one transaction with a check that the user may still be mailed;
2. render it and send it with SES;
3. record the message id on the claim (state ``sent``).

A key already taken is skipped (another sender has it, or an earlier attempt). If SES
throttles or is unavailable the claim is released and `RetryLater` is raised, so the
queue brings the user back later. If SES refuses the address (MessageRejected), the
address goes on the suppression list and the user is suppressed; an address on that
list is never mailed.
If the process dies after SES accepted, the claim stays ``claimed``; once it is older
than any sender can run it is marked ``unknown`` (metric ClaimsUnknown) and is never
re-sent blind: the planner treats that day as used and puts its content in the next
allowed day's e-mail.

Afterwards the user's next wake-up from `next_wake_at` goes into the due index, on the
plan version read with the state, so a write that raced in keeps the user due now.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from aws_lambda_powertools import Logger

from bounceback.domain.model import SentEmail, UserState
from bounceback.domain.planner import PlannedEmail, activity_cutoff, next_wake_at, plan
from bounceback.ports import (
    ActionTokens,
    AddressRejected,
    ClaimResult,
    Claims,
    Mailer,
    OutgoingEmail,
    PlanningStore,
    SuppressionList,
    TokenIssuer,
    TransientSendError,
)
from bounceback.usecases.actions import with_action_links

logger = Logger(child=True)

# The sender's timeout is 30 s: a claim older than this cannot still be in flight.
CLAIM_STALE_AFTER = timedelta(minutes=2)
# If a re-plan would wake the user in the past (something stayed due), wait this long.
MIN_REPLAN_DELAY = timedelta(minutes=15)


class RetryLater(Exception):
    """SES could not take the e-mail now; the queue message should come back later."""


class Rendered(Protocol):
    subject: str
    text: str
    html: str
    kinds_header: str


class Render(Protocol):
    def __call__(
        self, email: PlannedEmail, state: UserState, *, unsubscribe_url: str, app_url: str
    ) -> Rendered: ...


Metric = tuple[str, str | None, str | None]  # (name, dimension name, dimension value)


@dataclass
class Tally:
    """Metric counts of one invocation; the handler publishes them as Powertools metrics."""

    counts: Counter[Metric] = field(default_factory=Counter)

    def add(self, name: str, dimension: tuple[str, str] | None = None, value: int = 1) -> None:
        key: Metric = (name, *dimension) if dimension else (name, None, None)
        self.counts[key] += value

    def get(self, name: str, dimension: tuple[str, str] | None = None) -> int:
        key: Metric = (name, *dimension) if dimension else (name, None, None)
        return self.counts[key]


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url}/unsubscribe?token={token}"


def list_unsubscribe(link: str, mailto: str | None, token: str) -> str:
    """The List-Unsubscribe value: the one-click https link first (RFC 8058), then a
    mailto whose subject carries the same token, when an address is configured."""
    value = f"<{link}>"
    if mailto:
        value += f", <mailto:{quote(mailto, safe='@')}?subject={quote('unsubscribe ' + token)}>"
    return value


class Sender:
    """Delivers what is due for one user at a time (see the module docstring)."""

    def __init__(
        self,
        *,
        store: PlanningStore,
        claims: Claims,
        mailer: Mailer,
        tokens: TokenIssuer,
        render: Render,
        link_base_url: str,
        suppressions: SuppressionList,
        unsubscribe_mailto: str | None = None,
        action_tokens: ActionTokens | None = None,
        tally: Tally | None = None,
    ) -> None:
        self._store = store
        self._claims = claims
        self._mailer = mailer
        self._tokens = tokens
        self._render = render
        self._action_tokens = action_tokens
        self._base = link_base_url.rstrip("/")
        self._mailto = (unsubscribe_mailto or "").strip() or None
        self._suppressions = suppressions
        self.tally = tally or Tally()

    def deliver(self, user_id: str, now: datetime) -> None:
        """Send what is due for `user_id` at `now`, then store the next wake-up.

        Raises `RetryLater` when SES was throttled or unavailable (nothing was sent
        for that e-mail and its claim was released).
        """
        loaded = self._store.load_state_for_planning(user_id, activity_cutoff(now))
        if loaded is None:
            self.tally.add("NudgesSkipped", ("reason", "no_profile"))
            logger.info("no profile; nothing to send", extra={"user_id": user_id})
            return
        state, version = loaded
        self._expire_abandoned_claims(user_id, state, now)
        profile = state.profile
        if profile.unsubscribed or profile.suppressed:
            reason = "unsubscribed" if profile.unsubscribed else "suppressed"
            self.tally.add("NudgesSkipped", ("reason", reason))
            self._store.mark_planned(user_id, version, None)
            return
        due = plan(state, now).due
        if due and not profile.email:
            self.tally.add("NudgesSkipped", ("reason", "no_address"), len(due))
            self._store.mark_planned(user_id, version, None)
            return
        if due and self._suppressions.is_suppressed(profile.email):
            # The address bounced or complained (perhaps before an erasure): never again.
            self.tally.add("NudgesSkipped", ("reason", "address_suppressed"), len(due))
            self._claims.stop(user_id, "suppressed")
            logger.info("address on the suppression list; not sending", extra={"user_id": user_id})
            return
        raced = False
        for email in due:
            outcome = self._send_one(user_id, state, email, now)
            if outcome is None:
                return  # the user can no longer be mailed; the stop flag re-planned them
            if isinstance(outcome, str):  # "taken"
                raced = True
                continue
            state = replace(state, sent=(*state.sent, outcome))
        if raced:
            # Someone else holds a claim we did not see: leave the user due, so the next
            # run re-plans from fresh state instead of from our partial view.
            return
        wake = next_wake_at(state, now)
        if wake is not None and wake <= now:
            wake = now + MIN_REPLAN_DELAY
        if not self._store.mark_planned(user_id, version, wake):
            logger.info("plan changed meanwhile; user stays due", extra={"user_id": user_id})

    def _send_one(
        self, user_id: str, state: UserState, email: PlannedEmail, now: datetime
    ) -> SentEmail | str | None:
        """Claim, send, record. The sent record, ``"taken"``, or None when stopped."""
        kinds = email.kinds
        record = SentEmail(
            claim_key=email.claim_key,
            local_date=email.local_date,
            kinds=kinds,
            nudge_keys=tuple(n.key for n in email.nudges),
            state="claimed",
            claimed_at=now,
        )
        log = {"user_id": user_id, "claim_key": email.claim_key, "kinds": ",".join(kinds)}
        result = self._claims.claim(user_id, record)
        if result is ClaimResult.TAKEN:
            self.tally.add("NudgesSkipped", ("reason", "already_claimed"))
            logger.info("claim taken; not sending", extra=log)
            return "taken"
        if result is ClaimResult.STOPPED:
            self.tally.add("NudgesSkipped", ("reason", "stopped"))
            logger.info("user stopped meanwhile; not sending", extra=log)
            return None
        try:
            token = self._tokens.issue(user_id, now)
            link = unsubscribe_url(self._base, token)
            if self._action_tokens is not None:
                email = with_action_links(email, self._action_tokens, user_id, self._base, now)
            rendered = self._render(email, state, unsubscribe_url=link, app_url=f"{self._base}/")
            outgoing = OutgoingEmail(
                to=state.profile.email,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                headers={
                    "List-Unsubscribe": list_unsubscribe(link, self._mailto, token),
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    "X-Bounceback-Kinds": rendered.kinds_header,
                },
                user_id=user_id,
            )
            message_id = self._mailer.send(outgoing)
        except TransientSendError as exc:
            self._claims.release(user_id, email.claim_key)
            self.tally.add("SendFailures")
            logger.warning("SES busy; will retry", extra={**log, "error": exc.code})
            raise RetryLater(exc.code) from exc
        except AddressRejected as exc:
            self._claims.release(user_id, email.claim_key)
            self.tally.add("SendFailures")
            self.tally.add("NudgesSkipped", ("reason", "address_rejected"))
            if exc.code == "MessageRejected":  # the recipient, not our configuration
                self._suppressions.suppress(state.profile.email, "rejected", now)
            self._claims.stop(user_id, "suppressed")
            logger.warning("SES rejected the address; suppressed", extra={**log, "error": exc.code})
            return None
        except Exception:
            # Nothing reached SES (rendering, signing) or SES said an unexpected no:
            # release so the retry can claim again, and let the record fail.
            self._claims.release(user_id, email.claim_key)
            self.tally.add("SendFailures")
            raise
        try:
            self._claims.mark_sent(user_id, email.claim_key, message_id, rendered.subject, now)
        except Exception:
            # Sent but not recorded: the claim stays `claimed` and becomes `unknown`.
            logger.exception("sent but the claim was not updated", extra=log)
        for kind in kinds:
            self.tally.add("NudgesSent", ("kind", kind))
        logger.info("sent", extra={**log, "message_id": message_id})
        return replace(
            record, state="sent", sent_at=now, message_id=message_id, subject=rendered.subject
        )

    def _expire_abandoned_claims(self, user_id: str, state: UserState, now: datetime) -> None:
        for sent in state.sent:
            if sent.state != "claimed" or now - sent.claimed_at < CLAIM_STALE_AFTER:
                continue
            if self._claims.mark_unknown(user_id, sent.claim_key, sent.claimed_at):
                self.tally.add("ClaimsUnknown")
                logger.warning(
                    "claim abandoned between SES and its record; marked unknown",
                    extra={"user_id": user_id, "claim_key": sent.claim_key},
                )

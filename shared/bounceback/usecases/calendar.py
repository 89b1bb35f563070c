"""The calendar feed's use cases: its private address, rotating it, and serving it.

The secret in the address is the only key to the feed (calendar apps cannot sign
in), so it carries 192 random bits. See docs/behaviour.md, "Calendar feed".
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Final

from bounceback.domain.calendar import CalendarFeed, calendar_feed
from bounceback.errors import Conflict
from bounceback.ports import CalendarSecretTaken, CalendarStore, Identity, RecordStore
from bounceback.usecases.records import get_or_create_profile

SECRET_BYTES: Final = 24  # 192 bits
# What `secrets.token_urlsafe(SECRET_BYTES)` writes: anything else is not a secret of ours.
_SECRET_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{32}")


def calendar_url(base_url: str, secret: str) -> str:
    return f"{base_url}/calendar/{secret}.ics"


def _store_fresh_secret(
    store: RecordStore,
    calendars: CalendarStore,
    identity: Identity,
    old: str | None,
    now: datetime,
) -> str:
    """A new secret in place of `old` (None: the first); raises CalendarSecretTaken
    when another request changed the secret meanwhile."""
    if old is None:
        get_or_create_profile(store, identity, now)
    fresh = secrets.token_urlsafe(SECRET_BYTES)
    calendars.set_calendar_secret(identity.user_id, fresh, old)
    return fresh


def feed_address(
    store: RecordStore, calendars: CalendarStore, identity: Identity, base_url: str, now: datetime
) -> str:
    """The caller's feed address, creating its secret on first use."""
    secret = calendars.get_calendar_secret(identity.user_id)
    if secret is None:
        try:
            secret = _store_fresh_secret(store, calendars, identity, None, now)
        except CalendarSecretTaken:  # a request at the same moment created one
            secret = calendars.get_calendar_secret(identity.user_id)
            if secret is None:
                raise Conflict("the calendar address changed meanwhile; try again") from None
    return calendar_url(base_url, secret)


def rotate_address(
    store: RecordStore, calendars: CalendarStore, identity: Identity, base_url: str, now: datetime
) -> str:
    """A new secret for the caller; the old address stops working at once."""
    old = calendars.get_calendar_secret(identity.user_id)
    try:
        fresh = _store_fresh_secret(store, calendars, identity, old, now)
    except CalendarSecretTaken:
        raise Conflict("the calendar address changed meanwhile; try again") from None
    return calendar_url(base_url, fresh)


def feed_for(store: CalendarStore, secret: str, now: datetime) -> CalendarFeed | None:
    """The feed `secret` opens (one GetItem, one Query), or None for an unknown secret."""
    if not _SECRET_SHAPE.fullmatch(secret):
        return None
    user_id = store.user_for_calendar(secret)
    if user_id is None:
        return None
    state = store.load_state(user_id)
    return calendar_feed(state, now) if state is not None else None

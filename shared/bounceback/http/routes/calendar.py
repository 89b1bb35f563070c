"""The calendar feed: `/me/calendar` (its private address) and `/calendar/<secret>.ics`.

The feed itself needs no sign-in: calendar apps cannot send a bearer token, so the
secret in the address is the key. See docs/behaviour.md, "Calendar feed".
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from bounceback.http import schemas as s
from bounceback.http.deps import Calendars, Caller, Settings, Store
from bounceback.http.responses import ERRORS, answers
from bounceback.infra import clock
from bounceback.usecases import calendar

router = Router()
CALENDAR = "text/calendar; charset=utf-8"
PLAIN = "text/plain; charset=utf-8"


def _base_url(public_base_url: str) -> str:
    """PublicBaseUrl, or (when it is not set) the address this request came to."""
    if public_base_url:
        return public_base_url
    context = router.current_event.raw_event.get("requestContext") or {}
    return "https://" + str(context.get("domainName") or "localhost")


@router.get("/me/calendar", responses=answers(200, "Your calendar feed's private address"))
def get_calendar_address(
    caller: Caller, store: Store, calendars: Calendars, config: Settings
) -> s.CalendarAddress:
    url = calendar.feed_address(
        store, calendars, caller, _base_url(config.public_base_url), clock.now()
    )
    return s.CalendarAddress(url=url)


@router.post(
    "/me/calendar/rotate",
    responses=answers(200, "A new private address; the old one answers 404 from now on", 409),
)
def rotate_calendar_address(
    caller: Caller, store: Store, calendars: Calendars, config: Settings
) -> s.CalendarAddress:
    url = calendar.rotate_address(
        store, calendars, caller, _base_url(config.public_base_url), clock.now()
    )
    return s.CalendarAddress(url=url)


@router.get(
    "/calendar/<file>",
    security=[{}],
    responses={
        200: {
            "description": "Your interviews, follow-up dates and comeback day (RFC 5545)",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        304: {"description": "Not modified since the ETag given in If-None-Match"},
        404: {"description": "No feed at this address", "content": {"text/plain": {}}},
        422: ERRORS[422],
    },
)
def calendar_feed(file: str, calendars: Calendars) -> Response[str]:
    """The feed at `<secret>.ics`; an unknown secret is a plain 404."""
    secret = file.removesuffix(".ics") if file.endswith(".ics") else ""
    feed = calendar.feed_for(calendars, secret, clock.now())
    if feed is None:
        return Response(404, PLAIN, "No calendar at this address.\n")
    headers = {"ETag": feed.etag, "Cache-Control": "private, max-age=300"}
    asked = router.current_event.headers.get("if-none-match") or ""
    if feed.etag in {tag.strip().removeprefix("W/") for tag in asked.split(",")}:
        return Response(304, None, "", headers=headers)
    return Response(200, CALENDAR, feed.body.decode("utf-8"), headers=headers)

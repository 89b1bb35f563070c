"""`/activities`: the caller's other job-search activity (the days that count as search)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from bounceback.http import schemas as s
from bounceback.http.deps import Caller, Store
from bounceback.http.responses import answers
from bounceback.infra import clock
from bounceback.usecases import records

router = Router()


@router.post(
    "/activities",
    status_code=201,
    responses=answers(201, "The logged activity", 400, 409, 413, 415, 422),
)
def log_activity(
    body: Annotated[s.ActivityIn, Body()], caller: Caller, store: Store
) -> Response[s.ActivityOut]:
    activity = records.log_activity(store, caller, body.changes(), clock.now())
    return Response(201, content_types.APPLICATION_JSON, s.ActivityOut.model_validate(activity))


@router.get("/activities", responses=answers(200, "A page of activities, newest first", 400, 422))
def list_activities(
    caller: Caller,
    store: Store,
    since: Annotated[s.IsoDate | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> s.ActivityPage:
    page = records.list_activities(store, caller, since, limit, cursor)
    return s.ActivityPage(
        items=[s.ActivityOut.model_validate(a) for a in page.items], next_cursor=page.next_cursor
    )

"""`/applications`: the caller's applications and the events that move their status."""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query

from bounceback.domain.model import Status
from bounceback.errors import NotFound
from bounceback.http import imports
from bounceback.http import schemas as s
from bounceback.http.deps import Caller, Settings, Store
from bounceback.http.keyed_create import create_with_key
from bounceback.http.responses import ERRORS, answers
from bounceback.ids import is_id
from bounceback.infra import clock
from bounceback.usecases import importing, records

router = Router()


def _app_id(value: str) -> str:
    # Anything that is not one of our ids cannot be the caller's record.
    if not is_id(value):
        raise NotFound(f"no application with id {value}")
    return value


# A repeat of an Idempotency-Key whose application was deleted since is not created
# again (that would bring back what the user deleted): it answers 404.
_REPEAT_OF_DELETED: dict[str, Any] = {
    **ERRORS[404],
    "description": "Repeat of an Idempotency-Key whose application has been deleted since: "
    "it is not created again",
}


@router.post(
    "/applications",
    status_code=201,
    responses=answers(201, "The stored application", 400, 409, 413, 415, 422)
    | {404: _REPEAT_OF_DELETED},
)
def create_application(
    body: Annotated[s.ApplicationIn, Body()],
    caller: Caller,
    store: Store,
    config: Settings,
    idempotency_key: Annotated[
        str | None,
        Header(alias="idempotency-key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
    ] = None,
) -> Response[s.ApplicationOut]:
    if idempotency_key is None:
        created = records.create_application(store, caller, body.changes(), clock.now())
    else:
        created = create_with_key(
            table_name=config.idempotency_table_name,
            store=store,
            identity=caller,
            key=idempotency_key,
            body=body,
            now=clock.now(),
            lambda_context=router.lambda_context,
        )
    return Response(201, content_types.APPLICATION_JSON, s.ApplicationOut.of(created))


@router.get("/applications", responses=answers(200, "A page of applications", 400, 422))
def list_applications(
    caller: Caller,
    store: Store,
    status: Annotated[Status | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> s.ApplicationPage:
    page = records.list_applications(store, caller, status, limit, cursor)
    return s.ApplicationPage(
        items=[s.ApplicationOut.of(a) for a in page.items], next_cursor=page.next_cursor
    )


@router.get("/applications/<id>", responses=answers(200, "The application", 404))
def get_application(id: str, caller: Caller, store: Store) -> s.ApplicationOut:
    return s.ApplicationOut.of(records.get_application(store, caller, _app_id(id)))


@router.patch(
    "/applications/<id>",
    responses=answers(200, "The updated application", 400, 404, 409, 413, 415, 422),
)
def patch_application(
    id: str, changes: Annotated[s.ApplicationPatch, Body()], caller: Caller, store: Store
) -> s.ApplicationOut:
    updated = records.update_application(store, caller, _app_id(id), changes.changes(), clock.now())
    return s.ApplicationOut.of(updated)


@router.delete("/applications/<id>", status_code=204, responses=answers(204, "Deleted", 404, 409))
def delete_application(id: str, caller: Caller, store: Store) -> Response[None]:
    records.delete_application(store, caller, _app_id(id), clock.now())
    return Response(status_code=204)


@router.post(
    "/applications/<id>/events",
    status_code=201,
    responses=answers(201, "The event and the application after it", 400, 404, 409, 413, 415, 422),
)
def record_event(
    id: str, body: Annotated[s.EventIn, Body()], caller: Caller, store: Store
) -> Response[s.EventRecorded]:
    event, updated = records.record_event(store, caller, _app_id(id), body.changes(), clock.now())
    recorded = s.EventRecorded(
        event=s.EventOut.model_validate(event), application=s.ApplicationOut.of(updated)
    )
    return Response(201, content_types.APPLICATION_JSON, recorded)


@router.post(
    "/applications/import",
    summary="Import applications from a CSV or from GET /me/export's JSON",
    description=(
        "Send `text/csv` (columns matched by header) or `application/json` (the export), "
        "at most 5,000 rows and 2 MiB. Rows with errors are skipped and listed; duplicates "
        "of stored applications or of earlier rows are counted, not stored. "
        "`dry_run=true` stores nothing and previews the first rows."
    ),
    responses=answers(200, "What the import did (or would do)", 400, 413, 415, 422),
)
def import_applications(
    caller: Caller,
    store: Store,
    dry_run: Annotated[bool, Query()] = False,
    date_order: Annotated[Literal["mdy", "dmy"], Query()] = "mdy",
) -> s.ImportOut:
    event = router.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode()
    now = clock.now()
    state = records.load_state(store, caller, now)
    zone = ZoneInfo(state.profile.timezone)
    today = records.local_today(state.profile, now)
    text = imports.decode(body)
    media_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    info: dict[str, Any] = {}
    if media_type == "text/csv":
        parsed, info = imports.read_csv(text, date_order, zone, today)
    else:
        parsed = imports.read_json(text, zone, today)
    result = importing.import_records(store, caller, state, parsed, now, dry_run=dry_run)
    return s.ImportOut.of(result, dry_run=dry_run, date_order=date_order, **info)

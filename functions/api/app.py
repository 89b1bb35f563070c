"""The records API (DESIGN §2): HTTP in, a call into `bounceback.records`, JSON out."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback import clock, records, web
from bounceback.adapters import dynamo
from bounceback.adapters.store import DynamoRecordStore
from bounceback.domain.model import Application
from bounceback.domain.summary import summarize
from bounceback.errors import NotFound
from bounceback.http import schemas as s
from bounceback.http.plumbing import (
    form_as_json,
    guard_request,
    identity_of,
    register_error_handlers,
)
from bounceback.ids import is_id
from bounceback.nudges import nudges_view
from bounceback.settings import settings
from bounceback.unsubscribe import confirmation_page, stopper, tokens_from_env, unsubscribe

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)
register_error_handlers(app)
dynamo.bind(settings().table_name, region=settings().region)
store = DynamoRecordStore()

ERRORS: dict[int, Any] = {
    code: {"description": text, "content": {"application/json": {"model": s.ErrorOut}}}
    for code, text in {
        400: "Malformed body or cursor",
        404: "Unknown, or not yours",
        409: "Conflict",
        413: "Body over 64 KiB",
        415: "Unsupported media type",
        422: "Validation failed; details name the fields",
    }.items()
}
ERRORS[401] = {
    "description": "Missing or invalid bearer token (answered by the authorizer)",
    "content": {"application/json": {"model": s.Unauthorized}},
}


def answers(success: int, description: str, *errors: int) -> dict[int, Any]:
    """OpenAPI responses: the success (schema from the return type) and the errors."""
    ok: dict[str, Any] = {"description": description}
    if success == 204:
        ok["content"] = {}
    # 422 always: the validator may answer it on any route, in the one error shape.
    return {success: ok, **{code: ERRORS[code] for code in (401, 422, *errors)}}


def _app_id(value: str) -> str:
    # Anything that is not one of our ids cannot be the caller's record.
    if not is_id(value):
        raise NotFound(f"no application with id {value}")
    return value


# ------------------------------------------------------------------ profile


@app.get("/me", responses=answers(200, "Your profile"))
def get_me() -> s.ProfileOut:
    return s.ProfileOut.of(records.get_or_create_profile(store, identity_of(app), clock.now()))


@app.patch("/me", responses=answers(200, "The updated profile", 400, 413, 415, 422))
def patch_me(changes: Annotated[s.ProfilePatch, Body()]) -> s.ProfileOut:
    profile = records.update_profile(store, identity_of(app), changes.changes(), clock.now())
    return s.ProfileOut.of(profile)


@app.delete("/me", status_code=204, responses=answers(204, "Everything of yours is erased"))
def delete_me() -> Response[None]:
    records.delete_user(store, identity_of(app))
    return Response(status_code=204)


@app.get(
    "/me/export",
    responses={
        **answers(200, "All your data", 422),
        200: {
            "description": "All your data (JSON), or your applications as CSV",
            "content": {
                "application/json": {"model": s.Export},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
    },
)
def export_me(format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Any:
    state = records.load_state(store, identity_of(app), clock.now())
    if format == "csv":
        return Response(
            status_code=200,
            content_type="text/csv; charset=utf-8",
            body=records.applications_csv(state.applications),
            headers={"Content-Disposition": 'attachment; filename="bounceback-applications.csv"'},
        )
    return s.Export(
        profile=s.ProfileOut.of(state.profile),
        applications=[s.ApplicationOut.of(a) for a in state.applications],
        activities=[s.ActivityOut.model_validate(a) for a in state.activities],
        emails=[s.SentEmailOut.model_validate(e) for e in state.sent],
    ).model_dump(mode="json")


# ------------------------------------------------------------------ applications


@cache
def _create_once() -> Any:
    """The create use case behind Powertools idempotency, built on first use.

    Imported lazily: Powertools idempotency pulls in boto3, which only a create with
    an Idempotency-Key needs; every other request's cold start is spared it.
    """
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(table_name=settings().idempotency_table_name)
    # The key is the caller's id with their Idempotency-Key: one user's key never
    # answers for another user.
    config = IdempotencyConfig(
        event_key_jmespath="[user, key]",
        payload_validation_jmespath="body",
        expires_after_seconds=24 * 3600,
    )

    @idempotent_function(
        data_keyword_argument="request", persistence_store=persistence, config=config
    )
    def create(request: dict[str, Any], created: list[Application]) -> dict[str, str]:
        body = s.ApplicationIn.model_validate(request["body"])
        app_ = records.create_application(store, identity_of(app), body.changes(), clock.now())
        created.append(app_)
        # Only the id is kept in the idempotency record: no personal data outlives DELETE /me.
        return {"id": app_.id}

    def create_once(request: dict[str, Any], created: list[Application]) -> dict[str, str]:
        config.register_lambda_context(app.lambda_context)
        result: dict[str, str] = create(request=request, created=created)
        return result

    return create_once


@app.post(
    "/applications",
    status_code=201,
    responses=answers(201, "The stored application", 400, 409, 413, 415, 422),
)
def create_application(
    body: Annotated[s.ApplicationIn, Body()],
    idempotency_key: Annotated[
        str | None,
        Header(alias="idempotency-key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
    ] = None,
) -> Response[s.ApplicationOut]:
    identity = identity_of(app)
    if idempotency_key is None:
        created = records.create_application(store, identity, body.changes(), clock.now())
    else:
        request = {
            "user": identity.user_id,
            "key": idempotency_key,
            "body": body.model_dump(mode="json"),
        }
        fresh: list[Application] = []
        first = _create_once()(request=request, created=fresh)
        if fresh:
            created = fresh[0]
        else:  # a repeat: answer with the application the first request created
            stored = store.get_application(identity.user_id, first["id"])
            if stored is None:
                raise NotFound("the application created with this Idempotency-Key was deleted")
            created = stored.application
    return Response(201, content_types.APPLICATION_JSON, s.ApplicationOut.of(created))


@app.get("/applications", responses=answers(200, "A page of applications", 400, 422))
def list_applications(
    status: Annotated[s.Status | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> s.ApplicationPage:
    page = records.list_applications(store, identity_of(app), status, limit, cursor)
    return s.ApplicationPage(
        items=[s.ApplicationOut.of(a) for a in page.items], next_cursor=page.next_cursor
    )


@app.get("/applications/<id>", responses=answers(200, "The application", 404))
def get_application(id: str) -> s.ApplicationOut:
    return s.ApplicationOut.of(records.get_application(store, identity_of(app), _app_id(id)))


@app.patch(
    "/applications/<id>",
    responses=answers(200, "The updated application", 400, 404, 409, 413, 415, 422),
)
def patch_application(id: str, changes: Annotated[s.ApplicationPatch, Body()]) -> s.ApplicationOut:
    updated = records.update_application(
        store, identity_of(app), _app_id(id), changes.changes(), clock.now()
    )
    return s.ApplicationOut.of(updated)


@app.delete("/applications/<id>", status_code=204, responses=answers(204, "Deleted", 404))
def delete_application(id: str) -> Response[None]:
    records.delete_application(store, identity_of(app), _app_id(id), clock.now())
    return Response(status_code=204)


@app.post(
    "/applications/<id>/events",
    status_code=201,
    responses=answers(201, "The event and the application after it", 400, 404, 409, 413, 415, 422),
)
def record_event(id: str, body: Annotated[s.EventIn, Body()]) -> Response[s.EventRecorded]:
    event, updated = records.record_event(
        store, identity_of(app), _app_id(id), body.changes(), clock.now()
    )
    recorded = s.EventRecorded(
        event=s.EventOut.model_validate(event), application=s.ApplicationOut.of(updated)
    )
    return Response(201, content_types.APPLICATION_JSON, recorded)


# ------------------------------------------------------------------ activities


@app.post(
    "/activities",
    status_code=201,
    responses=answers(201, "The logged activity", 400, 413, 415, 422),
)
def log_activity(body: Annotated[s.ActivityIn, Body()]) -> Response[s.ActivityOut]:
    activity = records.log_activity(store, identity_of(app), body.changes(), clock.now())
    return Response(201, content_types.APPLICATION_JSON, s.ActivityOut.model_validate(activity))


@app.get("/activities", responses=answers(200, "A page of activities, newest first", 400, 422))
def list_activities(
    since: Annotated[s.IsoDate | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> s.ActivityPage:
    page = records.list_activities(store, identity_of(app), since, limit, cursor)
    return s.ActivityPage(
        items=[s.ActivityOut.model_validate(a) for a in page.items], next_cursor=page.next_cursor
    )


# ------------------------------------------------------------------ nudges and momentum


@app.get("/nudges", responses=answers(200, "Upcoming nudges (planned now) and the e-mails sent"))
def list_nudges() -> s.NudgesOut:
    state = records.load_state(store, identity_of(app), clock.now())
    return s.NudgesOut.model_validate(nudges_view(state, clock.now()))


@app.get("/summary", responses=answers(200, "Momentum: activity, break, statuses, response rate"))
def get_summary() -> s.SummaryOut:
    state = records.load_state(store, identity_of(app), clock.now())
    return s.SummaryOut.model_validate(summarize(state, clock.now()).to_dict())


# ------------------------------------------------------------------ unsubscribe (no auth)

UNSUBSCRIBE_ANSWERS: dict[int, Any] = {
    200: {"description": "An HTML page", "content": {"text/html": {}}},
    400: ERRORS[400],
    422: ERRORS[422],
}
HTML = "text/html; charset=utf-8"


@app.get("/unsubscribe", responses=UNSUBSCRIBE_ANSWERS, security=[{}])
def unsubscribe_page(token: Annotated[str | None, Query()] = None) -> Response[str]:
    """The link in every e-mail: a confirmation page; it does not unsubscribe by itself."""
    return Response(200, HTML, confirmation_page(tokens_from_env(), token, clock.now()))


@app.post("/unsubscribe", responses=UNSUBSCRIBE_ANSWERS, security=[{}])
def unsubscribe_now(token: Annotated[str | None, Query()] = None) -> Response[str]:
    """RFC 8058 one-click (body `List-Unsubscribe=One-Click`), or the page's button."""
    return Response(200, HTML, unsubscribe(tokens_from_env(), stopper(), token, clock.now()))


# ------------------------------------------------------------------ the web form (no auth)


@app.get("/", include_in_schema=False)
def web_form() -> Response[str]:
    """The form of DESIGN §2: it signs in by itself and calls this API with the token."""
    form = web.page(settings().auth_domain, settings().auth_client_id)
    headers = {
        "Content-Security-Policy": form.content_security_policy,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return Response(200, "text/html; charset=utf-8", form.html, headers=headers)


# ------------------------------------------------------------------ contract


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, openapi_json())


@app.get("/docs", include_in_schema=False)
def swagger_ui() -> Response[str]:
    return Response(200, content_types.TEXT_HTML, SWAGGER_PAGE)


@cache
def openapi_json() -> str:
    """The OpenAPI document of this API, as committed in `openapi.json`.

    Built on the first request for it: the OpenAPI models cost ~0.2 s of import,
    which no other request should pay at cold start.
    """
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    return app.get_openapi_json_schema(
        title="Bounceback API",
        version="1.0.0",
        summary="Rejection-aware job-search nudges",
        description=(
            "Record job applications, their outcomes and your other search activity; "
            "Bounceback plans a short recovery break after a rejection and kind e-mail "
            "nudges back into the search. Every route but the public ones needs a "
            "Cognito JWT as `Authorization: Bearer <token>`."
        ),
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearerAuth": []}],
    )


SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bounceback API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>
"""


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = guard_request(event)
    if refused is not None:
        return refused
    return app.resolve(form_as_json(event), context)

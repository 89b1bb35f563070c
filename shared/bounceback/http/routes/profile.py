"""`/me`: the caller's profile and preferences, erasing and exporting their data."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from bounceback.http import schemas as s
from bounceback.http.deps import Caller, Pool, Store
from bounceback.http.responses import answers
from bounceback.infra import clock
from bounceback.usecases import records

router = Router()


@router.get("/me", responses=answers(200, "Your profile"))
def get_me(caller: Caller, store: Store) -> s.ProfileOut:
    return s.ProfileOut.of(records.get_or_create_profile(store, caller, clock.now()))


@router.patch("/me", responses=answers(200, "The updated profile", 400, 413, 415, 422))
def patch_me(
    changes: Annotated[s.ProfilePatch, Body()], caller: Caller, store: Store
) -> s.ProfileOut:
    profile = records.update_profile(store, caller, changes.changes(), clock.now())
    return s.ProfileOut.of(profile)


@router.delete("/me", status_code=204, responses=answers(204, "Everything of yours is erased"))
def delete_me(caller: Caller, store: Store, pool: Pool) -> Response[None]:
    records.delete_user(store, pool, caller)
    return Response(status_code=204)


@router.get(
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
def export_me(
    caller: Caller,
    store: Store,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    state = records.load_state(store, caller, clock.now())
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

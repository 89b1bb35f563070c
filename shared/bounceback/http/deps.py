"""What the API's routes receive by dependency injection: the caller, and the adapters.

The handler puts the adapters into the resolver's context (`app.append_context`) on
every invocation; routes declare `Caller`, `Store`... as parameters and Powertools
resolves them before the route runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends, Request

from bounceback.errors import IdTokenRequired, ServiceError
from bounceback.infra.settings import ApiSettings
from bounceback.ports import (
    ActionRecords,
    ActionTokens,
    CalendarStore,
    Identity,
    RecordStore,
    SignIns,
    Stopper,
    TokenVerifier,
)


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


def _is_true(claim: object) -> bool:
    """A boolean claim: API Gateway hands claims over as strings ("true"), tests may not."""
    return claim is True or (isinstance(claim, str) and claim.strip().lower() == "true")


def caller(request: Request) -> Identity:
    """The caller, from the claims the JWT authorizer put in the request context.

    Only a Cognito ID token (`token_use` "id") carries the `email` and
    `email_verified` claims the profile is made from; an access token passes the
    authorizer too (its `client_id` is the audience), so it is refused here.
    """
    event = request.resolved_event
    claims = event.request_context.authorizer.jwt_claim or {}  # type: ignore[attr-defined]
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthorized("a valid bearer token is required")
    if claims.get("token_use") != "id":
        raise IdTokenRequired(
            "send the ID token (token_use id) as the bearer token, not the access token: "
            "the API needs its email claim"
        )
    email = claims.get("email")
    return Identity(
        user_id=sub,
        email=email if isinstance(email, str) else "",
        email_verified=_is_true(claims.get("email_verified")),
    )


def _from_context(key: str) -> Callable[[Request], Any]:
    """A dependency that hands a route the adapter the handler put under `key`."""

    def adapter(request: Request) -> Any:
        return request.context[key]

    adapter.__name__ = f"context_{key}"
    return adapter


# The record store serves several ports; each route names the one it uses.
_store = _from_context("store")

Caller = Annotated[Identity, Depends(caller)]
Pool = Annotated[SignIns, Depends(_from_context("sign_ins"))]
Store = Annotated[RecordStore, Depends(_store)]
Calendars = Annotated[CalendarStore, Depends(_store)]
ActionStore = Annotated[ActionRecords, Depends(_store)]
Tokens = Annotated[TokenVerifier, Depends(_from_context("tokens"))]
Stop = Annotated[Stopper, Depends(_from_context("stopper"))]
Actions = Annotated[ActionTokens, Depends(_from_context("action_tokens"))]
Settings = Annotated[ApiSettings, Depends(_from_context("settings"))]

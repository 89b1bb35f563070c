"""What the API's routes receive by dependency injection: the caller, and the adapters.

The handler puts the adapters into the resolver's context (`app.append_context`) on
every invocation; routes declare `Caller`, `Store`... as parameters and Powertools
resolves them before the route runs.
"""

from __future__ import annotations

from typing import Annotated

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


def record_store(request: Request) -> RecordStore:
    store: RecordStore = request.context["store"]
    return store


def calendar_store(request: Request) -> CalendarStore:
    calendars: CalendarStore = request.context["store"]
    return calendars


def token_verifier(request: Request) -> TokenVerifier:
    tokens: TokenVerifier = request.context["tokens"]
    return tokens


def stopper(request: Request) -> Stopper:
    stop: Stopper = request.context["stopper"]
    return stop


def action_tokens(request: Request) -> ActionTokens:
    tokens: ActionTokens = request.context["action_tokens"]
    return tokens


def action_store(request: Request) -> ActionRecords:
    store: ActionRecords = request.context["store"]
    return store


def sign_ins(request: Request) -> SignIns:
    pool: SignIns = request.context["sign_ins"]
    return pool


Caller = Annotated[Identity, Depends(caller)]
Pool = Annotated[SignIns, Depends(sign_ins)]
Store = Annotated[RecordStore, Depends(record_store)]
Calendars = Annotated[CalendarStore, Depends(calendar_store)]
Tokens = Annotated[TokenVerifier, Depends(token_verifier)]
Stop = Annotated[Stopper, Depends(stopper)]
Actions = Annotated[ActionTokens, Depends(action_tokens)]
ActionStore = Annotated[ActionRecords, Depends(action_store)]


def api_settings(request: Request) -> ApiSettings:
    config: ApiSettings = request.context["settings"]
    return config


Settings = Annotated[ApiSettings, Depends(api_settings)]

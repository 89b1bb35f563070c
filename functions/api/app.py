"""The API function: HTTP in, one router per resource (`bounceback.http.routes`), JSON out.

Here the adapters are chosen (through `bounceback.wiring`) and handed to the routes
in the resolver's context; the caller's identity reaches them by dependency injection.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from bounceback import wiring
from bounceback.http import openapi
from bounceback.http.plumbing import form_as_json, guard_request, register_error_handlers
from bounceback.http.routes import (
    actions,
    activities,
    applications,
    calendar,
    momentum,
    pages,
    profile,
    unsubscribe,
)
from bounceback.infra.settings import ApiSettings

config = ApiSettings.from_env()
logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)
register_error_handlers(app)
for module in (
    profile,
    applications,
    activities,
    momentum,
    calendar,
    unsubscribe,
    actions,
    pages,
):
    app.include_router(module.router)

wiring.bind_table(config)
store = wiring.action_records(config)
adapters = {
    "settings": config,
    "store": store,
    "sign_ins": wiring.sign_ins(config),
    "tokens": wiring.unsubscribe_tokens(config),
    "stopper": wiring.stopper(),
    "action_tokens": wiring.action_tokens(config),
}


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, openapi_json())


@cache
def openapi_json() -> str:
    """The OpenAPI document of this API, as committed in `openapi.json`."""
    return openapi.document(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = guard_request(event)
    if refused is not None:
        return refused
    openapi.enable_docs_for(app, event)
    app.append_context(**adapters)
    return app.resolve(form_as_json(event), context)

"""The API's OpenAPI document and its Swagger UI page at `/docs`, both from the code."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

TITLE = "Bounceback API"
VERSION = "1.0.0"
SUMMARY = "Rejection-aware job-search nudges"
DESCRIPTION = (
    "Record job applications, their outcomes and your other search activity; "
    "Bounceback plans a short recovery break after a rejection and kind e-mail "
    "nudges back into the search. Every route but the public ones needs a "
    "Cognito JWT as `Authorization: Bearer <token>`. This document is served at "
    "`/openapi.json`, and as a Swagger UI page at `/docs`."
)


@cache
def _configure(app: APIGatewayHttpResolver) -> None:
    """Give `app` the document's metadata, on the first request that needs it.

    The OpenAPI models cost ~0.2 s of import, which no other request should pay at
    cold start.
    """
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    app.configure_openapi(
        title=TITLE,
        version=VERSION,
        summary=SUMMARY,
        description=DESCRIPTION,
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearerAuth": []}],
    )


def document(app: APIGatewayHttpResolver) -> str:
    """The OpenAPI document of `app`, as committed in `openapi.json`."""
    _configure(app)
    return _with_import_body(app.get_openapi_json_schema())


def _with_import_body(text: str) -> str:
    """Name the import's two body types: its route reads the raw body itself (a CSV
    is no pydantic model), so Powertools cannot describe it."""
    spec = json.loads(text)
    operation = spec.get("paths", {}).get("/applications/import", {}).get("post")
    if operation is None:
        return text
    operation["requestBody"] = {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            # Any object: `applications` and `activities` are read row by row (a bad
            # row is an error row, not a refused request); other keys are ignored.
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "The JSON of GET /me/export (see Export)",
                }
            },
        },
    }
    return json.dumps(spec, indent=2)


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _docs_headers(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """A strict CSP for the Swagger page: our own assets, and its inline start-up script."""
    _configure(app)
    response = next_middleware(app)
    body = response.body if isinstance(response.body, str) else ""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(body)
    )
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; "
        f"script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@cache
def enable_docs(app: APIGatewayHttpResolver) -> None:
    """Powertools' Swagger UI at `/docs`, loading its assets from `/docs/assets/`."""
    # Relative: the page at `<base>/docs` loads `<base>/docs/assets/...`.
    app.enable_swagger(path="/docs", swagger_base_url="docs/assets", middlewares=[_docs_headers])


def enable_docs_for(app: APIGatewayHttpResolver, event: Mapping[str, Any]) -> None:
    """Register `/docs` when the first request for it arrives.

    `enable_swagger` imports the OpenAPI models (~0.15 s) as it registers the route;
    registered at import, every cold start would pay for a page few requests ask for.
    """
    if event.get("routeKey") == DOCS_ROUTE_KEY:
        enable_docs(app)


DOCS_ROUTE_KEY = "GET /docs"

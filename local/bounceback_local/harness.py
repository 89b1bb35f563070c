"""Plumbing the tests and the benchmarks share: fake AWS credentials, an API client
that calls the API function's handler in-process, and one percentile.

Nothing here is deployed; it sits in `bounceback_local` so that `tests/` and `bench/`
import one copy instead of each other.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bounceback_local.events import LambdaContext, http_event
from bounceback_local.gateway import Route, by_specificity, find_route

# Credentials and region moto accepts; nothing here can reach a real account.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_METRICS_NAMESPACE": "Bounceback",
}


def use_fake_aws(extra: Mapping[str, str] | None = None) -> None:
    """Point this process's AWS SDK at fake credentials (moto), never at an account."""
    os.environ.update(FAKE_AWS_ENV)
    os.environ.update(extra or {})
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` (0..1) percentile of `values`, interpolated; 0.0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    index = min(98, max(0, round(share * 100) - 1))
    return cuts[index]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def id_token_claims(sub: str, email: str, *, verified: bool = True) -> dict[str, str]:
    """The claims of a Cognito ID token as the HTTP API's JWT authorizer hands them on."""
    return {
        "sub": sub,
        "email": email,
        "email_verified": "true" if verified else "false",
        "token_use": "id",
    }


class ApiClient:
    """Calls the API function's handler with HTTP API v2 events, as a signed-in user."""

    def __init__(self, handler: Any, routes: list[Route]) -> None:
        self._handler = handler
        self._routes = routes

    def _route_of(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        """Matched as the local gateway (and API Gateway) matches routes."""
        found = find_route(self._routes, method, path)
        if found is None:
            return "$default", {}
        route, params = found
        return route.route_key, params

    def request(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | str | bytes | None = None,
        *,
        user: str | None = "alice",
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        claims: Mapping[str, str] | None = None,
    ) -> Reply:
        """One request as `user` (an ID token for <user>@example.com, verified), or with
        exactly the `claims` given (strings, as API Gateway passes them)."""
        route_key, params = self._route_of(method, path)
        if claims is None and user:
            claims = id_token_claims(user, f"{user}@example.com")
        event = http_event(
            method,
            route_key,
            path,
            claims=claims,
            body=body,
            headers=headers,
            query=query,
            path_parameters=params or None,
        )
        result = self._handler(event, LambdaContext("ApiFunction"))
        return Reply(
            result["statusCode"], dict(result.get("headers") or {}), result.get("body") or ""
        )

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)


def api_routes(spec_events: Mapping[str, Mapping[str, Any]]) -> list[Route]:
    """The API function's routes (authorizers are the callers' business here)."""
    return by_specificity(
        Route(e["Properties"]["Method"].upper(), e["Properties"]["Path"], "ApiFunction", None)
        for e in spec_events.values()
        if e.get("Type") == "HttpApi"
    )

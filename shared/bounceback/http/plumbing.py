"""HTTP plumbing of the API function: body guards, form bodies, error responses.

All error responses have the one shape of `bounceback.errors.error_body`:
``{"error": code, "message": text, "details": [{"field", "message"}]}``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ServiceError as PowertoolsServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from bounceback.errors import BadLink, ServiceError, error_body
from bounceback.http.schemas import PATTERN_WORDS
from bounceback.usecases.pages import PAGE_HEADERS

MAX_BODY_BYTES = 64 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
CSV = "text/csv"

# The import route alone takes files up to 2 MiB, as CSV or JSON; its route reads
# (and decodes) the body itself, row by row.
IMPORT_ROUTE = ("POST", "/applications/import")
MAX_IMPORT_BYTES = 2 * 1024 * 1024

# Routes that accept an HTML form post besides JSON (the web form, the e-mail pages).
FORM_ROUTES = frozenset({("POST", "/applications"), ("POST", "/unsubscribe"), ("POST", "/act")})
# Routes that never read their body: RFC 8058's one-click POST says only
# `List-Unsubscribe=One-Click`, as a URL-encoded or a multipart form.
BODY_IGNORED = frozenset({("POST", "/unsubscribe")})


def error_response(
    status: int, code: str, message: str, details: Sequence[Mapping[str, Any]] = ()
) -> Response[str]:
    body = json.dumps(error_body(code, message, details))
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def error_event_response(
    status: int, code: str, message: str, details: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The same error shape as a raw API Gateway v2 response (before routing)."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON},
        "body": json.dumps(error_body(code, message, details)),
        "isBase64Encoded": False,
    }


def guard_request(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """Refuse bodies before routing: too large (413), wrong media type (415), not JSON (400).

    Returns an error response, or None when the request may go on. Parsing here also
    stops a deeply nested document from reaching the validator as a RecursionError.
    """
    raw = event.get("body")
    if not raw:
        return None
    route = event.get("routeKey", "").split(" ", 1)
    method_path = (route[0], route[1]) if len(route) == 2 else ("", "")
    limit = MAX_IMPORT_BYTES if method_path == IMPORT_ROUTE else MAX_BODY_BYTES
    size = _decoded_size(raw) if event.get("isBase64Encoded") else len(raw.encode())
    if size > limit:
        return error_event_response(413, "payload_too_large", f"the body is over {limit} bytes")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", JSON).split(";")[0].strip().lower() or JSON
    if method_path == IMPORT_ROUTE:
        if media_type in (CSV, JSON):
            return None
        return error_event_response(415, "unsupported_media_type", f"send {CSV} or {JSON}")
    if method_path in BODY_IGNORED:
        return None
    if media_type == FORM and method_path in FORM_ROUTES:
        return None if _form_fields(raw, event) is not None else _REPEATED_FIELD
    if media_type != JSON:
        allowed = "application/json" + (f" or {FORM}" if method_path in FORM_ROUTES else "")
        return error_event_response(415, "unsupported_media_type", f"send {allowed}")
    if event.get("isBase64Encoded"):
        # API Gateway base64-encodes bodies that are not UTF-8: never valid JSON here.
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except ValueError:
            return error_event_response(400, "bad_request", "the body is not UTF-8 JSON")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return error_event_response(400, "bad_request", "the body is not valid JSON")
    if not isinstance(document, dict):
        return error_event_response(400, "bad_request", "the body must be a JSON object")
    return None


def _decoded_size(raw: str) -> int:
    """The byte length of a base64 text once decoded (padding excluded)."""
    return len(raw) * 3 // 4 - raw[-2:].count("=")


_REPEATED_FIELD = error_event_response(400, "bad_request", "a form field was sent more than once")


def _form_fields(raw: str, event: Mapping[str, Any]) -> dict[str, str] | None:
    """A form body as one value per field (blank fields left out); None if a field repeats."""
    text = base64.b64decode(raw).decode("utf-8", "replace") if event.get("isBase64Encoded") else raw
    fields: dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        if name in fields:
            return None
        fields[name] = value
    return {name: value for name, value in fields.items() if value.strip()}


def form_as_json(event: dict[str, Any]) -> dict[str, Any]:
    """The same request with a form body turned into the equivalent JSON object.

    Validation then runs on one shape whatever the client sent; blank form fields
    mean "not given", as an empty text input does in a browser.
    """
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if not event.get("body") or not headers.get("content-type", "").lower().startswith(FORM):
        return event
    fields = _form_fields(event["body"], event) or {}
    headers["content-type"] = JSON
    return {**event, "headers": headers, "body": json.dumps(fields), "isBase64Encoded": False}


def _field_of(location: Sequence[Any]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


_DATE = "must be a real date written like 2027-02-01"
_DATE_TIME = "must be a real date and time written like 2027-02-03T15:00:00+01:00"
_WHOLE_NUMBER = "must be a whole number"
_YES_NO = "must be true or false"
# What each kind of validation failure says, in plain words (the field is named apart).
_WORDS: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field that can be set here",
    "string_type": "must be text",
    "int_type": _WHOLE_NUMBER,
    "int_parsing": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "bool_type": _YES_NO,
    "bool_parsing": _YES_NO,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": _DATE_TIME,
    "datetime_parsing": _DATE_TIME,
    "datetime_from_date_parsing": _DATE_TIME,
    "timezone_aware": _DATE_TIME,
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "list_type": "must be a list",
}


def plain_words(error: Mapping[str, Any]) -> str:
    """What one validation failure says about its field: plain words, never a pattern."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str(ctx.get("pattern")))
        return words or "contains characters that are not allowed"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"must be one of {expected}" if expected else "is not one of the allowed values"
    if kind == "string_too_short":
        least = int(ctx.get("min_length", 1))
        return "must not be empty" if least <= 1 else f"must be at least {least} characters long"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    bounds = {
        "greater_than_equal": ("ge", "{} or more"),
        "less_than_equal": ("le", "{} or less"),
        "greater_than": ("gt", "more than {}"),
        "less_than": ("lt", "less than {}"),
    }
    if kind in bounds:
        key, shape = bounds[kind]
        return "must be " + shape.format(ctx.get(key))
    if kind == "value_error" and ctx.get("error") is not None:
        return str(ctx["error"])  # our own validators' words
    if kind in _WORDS:
        return _WORDS[kind]
    return "is not valid"


def _wants_html(app: APIGatewayHttpResolver) -> bool:
    """A browser navigating to a page asks for HTML; API clients and mail clients do not."""
    headers = app.current_event.headers or {}
    accept = next((v for k, v in headers.items() if k.lower() == "accept"), "")
    return "text/html" in accept.lower()


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    """Map every expected failure to its status, in one place."""

    @app.exception_handler(ServiceError)
    def _service_error(exc: ServiceError) -> Response[str]:
        if isinstance(exc, BadLink) and _wants_html(app):
            page, html = exc.page, "text/html; charset=utf-8"
            return Response(exc.status, html, page, headers=dict(PAGE_HEADERS))
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    def _validation_error(exc: RequestValidationError) -> Response[str]:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "bad_request", "the body is not valid JSON")
        details = [
            {"field": _field_of(e.get("loc", ())), "message": plain_words(e)} for e in errors
        ]
        message = "; ".join(f"{d['field']} {d['message']}" for d in details)
        return error_response(422, "validation_error", message, details)

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(exc: RequestUnsupportedContentType) -> Response[str]:
        return error_response(415, "unsupported_media_type", "send application/json")

    @app.exception_handler(IdempotencyValidationError)
    def _key_reused(exc: IdempotencyValidationError) -> Response[str]:
        return error_response(
            409, "conflict", "this Idempotency-Key was already used with a different body"
        )

    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def _key_in_flight(exc: IdempotencyAlreadyInProgressError) -> Response[str]:
        return error_response(
            409, "conflict", "a request with this Idempotency-Key is still running"
        )

    @app.exception_handler(PowertoolsServiceError)
    def _powertools_error(exc: PowertoolsServiceError) -> Response[str]:
        return error_response(exc.status_code, "error", str(exc.msg))

    @app.not_found
    def _no_route(exc: Exception) -> Response[str]:
        return error_response(404, "not_found", "no such route")

"""Failures the API reports to the caller, each with its HTTP status.

Handlers map these in one place; everything else is a bug and answers a plain 500
without details.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class ServiceError(Exception):
    """Base: `status` and `code` go into the one JSON error shape (`error_body`)."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class BadRequest(ServiceError):
    status = 400
    code = "bad_request"


class BadLink(BadRequest):
    """400 for a link a person opened from an e-mail.

    A browser is answered with `page`, an HTML page that says what went wrong; any
    other client with the one JSON error shape.
    """

    def __init__(self, message: str, page: str) -> None:
        super().__init__(message)
        self.page = page


class Forbidden(ServiceError):
    """403: the token is genuine but cannot do this (it is never "not yours": that is 404)."""

    status = 403
    code = "forbidden"


class EmailNotVerified(Forbidden):
    """The token's address is not verified: no profile is made, no address changed."""

    code = "email_not_verified"


class IdTokenRequired(Forbidden):
    """An access token (or anything else) where the API needs the ID token's claims."""

    code = "id_token_required"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class LimitReached(Conflict):
    """A per-account ceiling (docs/behaviour.md, "Limits") would be exceeded."""

    code = "limit_reached"


class PayloadTooLarge(ServiceError):
    status = 413
    code = "payload_too_large"


class Invalid(ServiceError):
    """422: the request is well-formed but a field's value is not acceptable."""

    status = 422
    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", [{"field": field, "message": message}])


def error_body(
    code: str, message: str, details: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The one JSON shape of every error the API (and the local gateway) answers."""
    return {"error": code, "message": message, "details": list(details)}

"""The OpenAPI response tables of the API's routes: every error in the one error shape."""

from __future__ import annotations

from typing import Any

from bounceback.http import schemas as s

ERRORS: dict[int, Any] = {
    code: {"description": text, "content": {"application/json": {"model": s.ErrorOut}}}
    for code, text in {
        400: "Malformed body or cursor",
        403: "The token cannot do this: its address is not verified (`email_not_verified`), "
        "or it is not an ID token (`id_token_required`)",
        404: "Unknown, or not yours",
        409: "Conflict (`limit_reached` when an account ceiling is reached)",
        413: "Body over 64 KiB",
        415: "Unsupported media type",
        422: "Validation failed; details name the fields",
    }.items()
}
ERRORS[401] = {
    "description": (
        "Missing or invalid bearer token. API Gateway's JWT authorizer answers by itself"
        ' with its own body, `{"message": "Unauthorized"}`: this one answer cannot have'
        " the error shape of the others."
    ),
    "content": {"application/json": {"model": s.Unauthorized}},
}


def answers(success: int, description: str, *errors: int) -> dict[int, Any]:
    """OpenAPI responses: the success (schema from the return type) and the errors."""
    ok: dict[str, Any] = {"description": description}
    if success == 204:
        ok["content"] = {}
    # 422 always: the validator may answer it on any route, in the one error shape;
    # 403 always: every signed-in route may create the profile from the token.
    return {success: ok, **{code: ERRORS[code] for code in (401, 403, 422, *errors)}}


# The public pages behind the link in every e-mail.
HTML_PAGE_ANSWERS: dict[int, Any] = {
    200: {"description": "An HTML page", "content": {"text/html": {}}},
    400: {
        "description": "The link is not valid or has expired: an HTML page that says so for"
        " a browser (`Accept: text/html`), the error shape for any other client",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/json": {"model": s.ErrorOut},
        },
    },
    422: ERRORS[422],
}

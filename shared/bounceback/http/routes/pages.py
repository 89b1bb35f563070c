"""Public pages (no sign-in): the web form, and the assets of the `/docs` page."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from bounceback import web
from bounceback.errors import NotFound
from bounceback.http import swagger_ui
from bounceback.http.deps import Settings

router = Router()


@router.get("/", include_in_schema=False)
def web_form(config: Settings) -> Response[str]:
    """The web form: it signs in by itself and calls this API with the token."""
    form = web.page(config.auth_domain, config.auth_client_id)
    headers = {
        "Content-Security-Policy": form.content_security_policy,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return Response(200, "text/html; charset=utf-8", form.html, headers=headers)


@router.get("/docs/assets/<name>", include_in_schema=False, compress=True)
def swagger_asset(name: str) -> Response[str]:
    """Swagger UI's script and style sheet, from the package (never from a CDN)."""
    found = swagger_ui.asset(name)
    if found is None:
        raise NotFound("no such asset")
    body, content_type = found
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(200, content_type, body, headers=headers)

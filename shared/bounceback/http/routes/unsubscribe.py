"""`/unsubscribe` (no sign-in): the signed link in every e-mail, and RFC 8058 one-click."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from bounceback.http.deps import Stop, Tokens
from bounceback.http.responses import HTML_PAGE_ANSWERS
from bounceback.infra import clock
from bounceback.usecases.pages import PAGE_HEADERS
from bounceback.usecases.unsubscribe import confirmation_page, unsubscribe

router = Router()
HTML = "text/html; charset=utf-8"


@router.get("/unsubscribe", responses=HTML_PAGE_ANSWERS, security=[{}])
def unsubscribe_page(tokens: Tokens, token: Annotated[str | None, Query()] = None) -> Response[str]:
    """The link in every e-mail: a confirmation page; it does not unsubscribe by itself."""
    return Response(
        200, HTML, confirmation_page(tokens, token, clock.now()), headers=dict(PAGE_HEADERS)
    )


@router.post("/unsubscribe", responses=HTML_PAGE_ANSWERS, security=[{}])
def unsubscribe_now(
    tokens: Tokens, stop: Stop, token: Annotated[str | None, Query()] = None
) -> Response[str]:
    """RFC 8058 one-click (body `List-Unsubscribe=One-Click`), or the page's button."""
    page = unsubscribe(tokens, stop, token, clock.now())
    return Response(200, HTML, page, headers=dict(PAGE_HEADERS))

"""`/act` (no sign-in): the one-click action links in e-mails.

`GET /act?token=` shows what the link will record and changes nothing; `POST /act`
(form body ``token=…[&choice=…]``) records it. Every answer is a small HTML page, never
JSON: a browser opened it from an e-mail, served like the unsubscribe pages
(`usecases.pages`: one hashed style block, no 'unsafe-inline'). The signed token is
the authority, which is also why the form needs no CSRF token (see the use case).
"""

from __future__ import annotations

import json
from html import escape
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Request, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from bounceback.http.deps import Actions, ActionStore
from bounceback.http.responses import ERRORS
from bounceback.infra import clock
from bounceback.usecases.actions import Answer, Prompt, perform, show
from bounceback.usecases.pages import PAGE_HEADERS, html_page

router = Router()
HTML = "text/html; charset=utf-8"
ACT_PAGE_ANSWERS: dict[int, Any] = {
    code: {"description": text, "content": {"text/html": {}}}
    for code, text in {
        200: "An HTML page: what the link records (GET), or what was recorded (POST)",
        400: "An HTML page: the link is not valid (forged, edited, expired, or its user is gone)",
        404: "An HTML page: the application is gone",
        409: "An HTML page: the change is impossible now; nothing was recorded",
    }.items()
}
ACT_PAGE_ANSWERS[400]["description"] += "; or the choice is missing or not one of the page's"
# The request validator's own answer, in the API's one error shape.
ACT_PAGE_ANSWERS[422] = ERRORS[422]


def page(title: str, body: str) -> str:
    """A page in the shell (and under the policy) of every page opened from an e-mail."""
    return html_page(
        title,
        f'{body}\n<p><a href="/">Open Bounceback</a></p>',
        tab_title=f"{title} · Bounceback",
    )


def prompt_html(prompt: Prompt) -> str:
    parts = [f"<p>{escape(prompt.question)}</p>", '<form method="post" action="/act">']
    parts.append(f'<input type="hidden" name="token" value="{escape(prompt.token, quote=True)}">')
    if prompt.choices:
        parts.append("<fieldset><legend>Choose one</legend>")
        if prompt.why:
            parts.append(f'<p class="why">{escape(prompt.why)}</p>')
        for choice in prompt.choices:
            parts.append(
                f'<label><input type="radio" name="choice" required '
                f'value="{escape(choice.value, quote=True)}">{escape(choice.label)}</label>'
            )
        parts.append("</fieldset>")
    parts.append(f'<button type="submit">{escape(prompt.button)}</button></form>')
    return page(prompt.title, "\n".join(parts))


def _respond(result: Prompt | Answer) -> Response[str]:
    if isinstance(result, Prompt):
        return Response(200, HTML, prompt_html(result), headers=dict(PAGE_HEADERS))
    body = f"<p>{escape(result.message)}</p>"
    return Response(result.status, HTML, page(result.title, body), headers=dict(PAGE_HEADERS))


@router.get("/act", responses=ACT_PAGE_ANSWERS, security=[{}])
def action_page(
    tokens: Actions, store: ActionStore, token: Annotated[str | None, Query()] = None
) -> Response[str]:
    """What the link records, as a page with a form; a GET never records anything."""
    return _respond(show(tokens, store, token, clock.now()))


@router.post("/act", responses=ACT_PAGE_ANSWERS, security=[{}])
def action_post(tokens: Actions, store: ActionStore, request: Request) -> Response[str]:
    """Record what the link stands for (form body `token`, and `choice` where asked)."""
    fields = _fields(request.resolved_event.body)
    return _respond(perform(tokens, store, fields.get("token"), fields.get("choice"), clock.now()))


def _fields(body: str | None) -> dict[str, str]:
    """The posted fields (a form body arrives here as the equivalent JSON object)."""
    try:
        document = json.loads(body or "{}")
    except ValueError:
        return {}
    if not isinstance(document, dict):
        return {}
    return {k: v for k, v in document.items() if isinstance(k, str) and isinstance(v, str)}

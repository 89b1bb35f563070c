"""Unsubscribe by signed link: a confirmation page, and RFC 8058 one-click.

`GET` only shows a page with a button (mail scanners follow links; a GET must not
unsubscribe). `POST` (the one-click request mail clients send, or the page's button)
unsubscribes at once. A bad token is a 400 and changes nothing: a browser is shown
an HTML page that says so, other clients get the JSON error shape. A valid token for a
user who has since deleted their data answers as if it worked: there is nothing left
to mail, and the answer reveals nothing.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from bounceback.errors import BadLink
from bounceback.ports import InvalidToken, Stopper, TokenVerifier
from bounceback.usecases.pages import html_page

_BAD_LINK = html_page(
    "This unsubscribe link does not work",
    (
        "<p>The link is not valid, or it has expired. Nothing was changed.</p>\n"
        "<p>To stop e-mails, use the link in the newest e-mail from Bounceback, or "
        '<a href="/">sign in</a> and switch e-mails off in Settings.</p>'
    ),
)


def _user_of(tokens: TokenVerifier, token: str | None, now: datetime) -> str:
    try:
        return tokens.verify(token or "", now)
    except InvalidToken as exc:
        raise BadLink("this unsubscribe link is not valid (or has expired)", _BAD_LINK) from exc


def confirmation_page(tokens: TokenVerifier, token: str | None, now: datetime) -> str:
    """The page behind the link in an e-mail: checks the token, changes nothing."""
    _user_of(tokens, token, now)
    form = (
        "<p>Stop all e-mails from Bounceback? You can still use the app.</p>\n"
        f'<form method="post" action="?token={escape(token or "")}">\n'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">\n'
        '<button type="submit">Unsubscribe</button>\n</form>'
    )
    return html_page("Unsubscribe from Bounceback", form)


def unsubscribe(tokens: TokenVerifier, store: Stopper, token: str | None, now: datetime) -> str:
    """Unsubscribe the token's user at once; returns the page that says so."""
    user_id = _user_of(tokens, token, now)
    store.stop(user_id, "unsubscribed")
    body = "<p>You are unsubscribed. Bounceback will not e-mail you again. Good luck out there.</p>"
    return html_page("You are unsubscribed", body)

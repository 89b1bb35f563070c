"""The web form (`GET /`): one page, its CSS and script inlined, no build step.

The page talks to the JSON API with the bearer token it got at sign-in: locally
from `/_local/login`, deployed from the Cognito hosted UI (implicit flow, the
`id_token` in the URL fragment). Inline code runs under a Content-Security-Policy
that allows exactly these two inlined blocks, by hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Page:
    html: str
    content_security_policy: str


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def page(auth_domain: str, client_id: str) -> Page:
    """The form, configured to sign in through `auth_domain` with app client `client_id`."""
    style, script = _read("app.css"), _read("app.js")
    # A JSON data block is not run; "<" is escaped so it can never close the tag.
    config = json.dumps({"authDomain": auth_domain, "clientId": client_id}).replace("<", "\\u003c")
    html = (
        _read("index.html")
        .replace("/*STYLE*/", style)
        .replace("/*CONFIG*/", config)
        .replace("/*SCRIPT*/", script)
    )
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_hash(script)}",
            f"style-src {_hash(style)}",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return Page(html, policy)

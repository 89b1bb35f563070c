"""The web app (`GET /`): one page, its CSS and script inlined, no build step.

The script is plain JavaScript in five parts (`SCRIPTS`, in order), joined into one
block that runs in its own function scope; no library. The page talks to the API
(JSON, and the CSV or JSON files it imports) with the bearer token it got at
sign-in: locally from `/_local/login`, deployed from the Cognito hosted UI
(authorization code with PKCE; the page then calls the hosted UI's token endpoint,
the one other origin it may connect to). Inline code runs under a
Content-Security-Policy that allows exactly the inlined style and script blocks,
by hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
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


def _origin(url: str) -> str:
    """`url` as a CSP source if it is a plain https origin, else nothing."""
    return url if re.fullmatch(r"https://[a-z0-9.-]+(:\d+)?", url) else ""


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


SCRIPTS = ("core.js", "signin.js", "views.js", "data.js", "main.js")


def script() -> str:
    """The page's one script: its parts in order, in one strict function scope."""
    parts = "\n".join(_read(name) for name in SCRIPTS)
    return f'(function () {{\n"use strict";\n{parts}}})();\n'


@cache
def page(auth_domain: str, client_id: str) -> Page:
    """The app, configured to sign in through `auth_domain` with app client `client_id`."""
    style, script_ = _read("app.css"), script()
    # A JSON data block is not run; "<" is escaped so it can never close the tag.
    config = json.dumps({"authDomain": auth_domain, "clientId": client_id}).replace("<", "\\u003c")
    html = (
        _read("index.html")
        .replace("/*STYLE*/", style)
        .replace("/*CONFIG*/", config)
        .replace("/*SCRIPT*/", script_)
    )
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_hash(script_)}",
            f"style-src {_hash(style)}",
            f"connect-src 'self' {_origin(auth_domain)}".rstrip(),
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return Page(html, policy)

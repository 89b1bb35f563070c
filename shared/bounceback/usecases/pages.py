"""The small HTML pages a person opens from an e-mail, and the policy they are served under.

The pages carry no script and one style block; `PAGE_POLICY` (the
Content-Security-Policy header in `PAGE_HEADERS`, sent with every such page) allows
exactly that block, by hash, and a form that posts back to the same origin.
"""

from __future__ import annotations

import base64
import hashlib

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5}h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1rem}"
)

_SHELL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style></head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body></html>
"""

_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode("utf-8")).digest()).decode()

PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"style-src 'sha256-{_STYLE_HASH}'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
# The headers every such page is answered with.
PAGE_HEADERS = {"Content-Security-Policy": PAGE_POLICY, "X-Content-Type-Options": "nosniff"}


def html_page(title: str, body: str) -> str:
    """A whole page: `title` (plain text, no markup) as its title and heading, then `body`."""
    return _SHELL.format(title=title, style=_STYLE, body=body)

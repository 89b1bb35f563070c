"""The small HTML pages a person opens from an e-mail, and the policy they are served under.

Unsubscribe and action pages share one shell and one style block, and carry no script
and no style attribute. `PAGE_POLICY` (the Content-Security-Policy header in
`PAGE_HEADERS`, sent with every such page) allows exactly that block, by its hash
(never 'unsafe-inline'), and a form that posts back to the same origin.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

_STYLE = (
    "body{font-family:system-ui,sans-serif;color:#1f2933;background:#f5f7f6;margin:0;"
    "line-height:1.5}main{max-width:32rem;margin:0 auto;padding:1.5rem 1rem}"
    "h1{font-size:1.35rem;color:#2f6f5e;margin:0 0 1rem}"
    "fieldset{border:0;padding:0;margin:0 0 1rem}"
    "legend{font-weight:bold;margin-bottom:.25rem}label{display:block;padding:.6rem .5rem;"
    "border:1px solid #c7d2cd;border-radius:6px;margin:.4rem 0;background:#fff}"
    "input[type=radio]{margin-right:.5rem;transform:scale(1.25)}"
    "button{font-size:1.05rem;padding:.8rem 1.4rem;border:0;border-radius:6px;"
    "background:#2f6f5e;color:#fff;width:100%}a{color:#2f6f5e}.why{color:#52606d}"
)

_SHELL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{tab_title}</title>
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
# The headers every such page is answered with. The links carry their token in the
# URL: no cache keeps the page, and no Referer header passes the URL on.
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def html_page(title: str, body: str, tab_title: str | None = None) -> str:
    """A whole page: `title` (plain text) as its heading and, unless `tab_title` says
    otherwise, its title; then `body` (markup, without style attributes)."""
    return _SHELL.format(
        tab_title=escape(tab_title or title), title=escape(title), style=_STYLE, body=body
    )

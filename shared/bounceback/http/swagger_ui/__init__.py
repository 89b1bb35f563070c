"""Swagger UI's browser assets, served by the API itself at `/docs/assets/...`.

Vendored from the npm package swagger-ui-dist (version below; Apache-2.0, see LICENSE
and NOTICE here), with the source-map comments removed, so `/docs` loads nothing from
another origin.
"""

from __future__ import annotations

from importlib.resources import files

SWAGGER_UI_VERSION = "5.35.0"

# The names Powertools' Swagger page asks for under `swagger_base_url`, and our files.
ASSETS = {
    "swagger-ui-bundle.min.js": ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.min.css": ("swagger-ui.css", "text/css; charset=utf-8"),
}


def asset(name: str) -> tuple[str, str] | None:
    """(body, content type) of one asset, or None for a name that is not one of them."""
    entry = ASSETS.get(name)
    if entry is None:
        return None
    filename, content_type = entry
    return files(__name__).joinpath(filename).read_text(encoding="utf-8"), content_type

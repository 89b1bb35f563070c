"""`/docs` is Powertools' Swagger UI with its assets served by the API itself."""

from __future__ import annotations

import re

import pytest

from bounceback.http.swagger_ui import SWAGGER_UI_VERSION
from tests.conftest import ApiClient

pytestmark = pytest.mark.integration


def test_docs_page_loads_nothing_from_another_origin(api: ApiClient) -> None:
    page = api.get("/docs", user=None)
    assert page.status == 200
    assert "docs/assets/swagger-ui-bundle.min.js" in page.text
    assert "docs/assets/swagger-ui.min.css" in page.text
    assert not re.search(r"""(src|href)=['"]https?://""", page.text)
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy
    assert "cdn" not in policy


def test_swagger_assets_are_served_from_the_package(api: ApiClient) -> None:
    script = api.get("/docs/assets/swagger-ui-bundle.min.js", user=None)
    assert script.status == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in script.text
    css = api.get("/docs/assets/swagger-ui.min.css", user=None)
    assert css.status == 200 and ".swagger-ui" in css.text
    assert SWAGGER_UI_VERSION.count(".") == 2


def test_an_unknown_asset_is_not_found(api: ApiClient) -> None:
    assert api.get("/docs/assets/..%2Fapp.py", user=None).status == 404
    assert api.get("/docs/assets/index.html", user=None).status == 404

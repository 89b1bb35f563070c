"""The committed OpenAPI document is the one the code generates."""

from __future__ import annotations

import json

import pytest

from scripts.generate_openapi import OPENAPI_PATH, current_document

pytestmark = pytest.mark.integration


def test_committed_openapi_matches_the_code() -> None:
    committed = OPENAPI_PATH.read_text(encoding="utf-8")
    assert committed == current_document(), "openapi.json is stale: run `make openapi`"


def test_openapi_documents_every_authenticated_route_of_the_template() -> None:
    from bounceback_local.template import Resolver, functions, load_template

    template = load_template()
    spec = functions(template, Resolver(template))["ApiFunction"]
    document = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    for event in spec.events.values():
        props = event["Properties"]
        path, method = props["Path"], props["Method"].lower()
        if (props.get("Auth") or {}).get("Authorizer") == "NONE":
            continue
        assert method in document["paths"].get(path, {}), (
            f"{method.upper()} {path} not in openapi.json"
        )

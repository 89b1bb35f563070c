"""Least privilege in template.yaml: no wildcard where a narrower action or resource exists."""

from __future__ import annotations

from typing import Any

import pytest

from bounceback_local.template import load_template, resources_of_type

pytestmark = pytest.mark.security

TEMPLATE = load_template()
FUNCTIONS = resources_of_type(TEMPLATE, "AWS::Serverless::Function")


def statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in function["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_policies_are_inline_statements_not_broad_managed_policies(name: str) -> None:
    for policy in FUNCTIONS[name]["Properties"].get("Policies", []):
        # SAM policy templates such as DynamoDBCrudPolicy grant Scan and more than we use.
        assert isinstance(policy, dict) and set(policy) == {"Statement"}, (name, policy)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_wildcard_actions_or_resources(name: str) -> None:
    for statement in statements(FUNCTIONS[name]):
        for action in as_list(statement["Action"]):
            assert "*" not in action, (name, statement.get("Sid"), action)
        for resource in as_list(statement["Resource"]):
            assert resource != "*", (name, statement.get("Sid"))
            if isinstance(resource, str):
                assert not resource.endswith(":*"), (name, statement.get("Sid"), resource)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_function_may_scan_or_drop_tables(name: str) -> None:
    actions = {a for s in statements(FUNCTIONS[name]) for a in as_list(s["Action"])}
    assert not actions & {"dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:UpdateTable"}


def test_only_the_sender_may_send_email() -> None:
    senders = {
        name
        for name, function in FUNCTIONS.items()
        for s in statements(function)
        if any(a.startswith("ses:Send") for a in as_list(s["Action"]))
    }
    assert senders == {"SenderFunction"}

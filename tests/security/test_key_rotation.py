"""The signing key's rotation, as template.yaml declares it.

A token verifies only under AWSCURRENT and AWSPREVIOUS, so a link lives until the
second rotation after it was signed. A link signed just before a rotation must then
outlive the next interval: the interval, less the rotation window (Secrets Manager
rotates at any time of the scheduled UTC day), must be at least the longest token
life, read here from the code that issues the tokens.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from bounceback.adapters.action_tokens import ACTION_TOKEN_LIFETIME
from bounceback.adapters.tokens import TOKEN_LIFETIME
from bounceback_local.template import resources_of_type
from tests.conftest import TEMPLATE

pytestmark = pytest.mark.security

RESOURCES = TEMPLATE["Resources"]
SCHEDULES = resources_of_type(TEMPLATE, "AWS::SecretsManager::RotationSchedule")
# Secrets Manager's window for a schedule in days: the whole UTC day it falls on.
ROTATION_WINDOW = timedelta(days=1)
ROTATION_ACTIONS = {
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
}


def interval(rules: dict[str, Any]) -> timedelta:
    """The time between rotations a `RotationRules` block asks for."""
    if "AutomaticallyAfterDays" in rules:
        return timedelta(days=int(rules["AutomaticallyAfterDays"]))
    expression = str(rules["ScheduleExpression"])
    found = re.fullmatch(r"rate\((\d+) (day|days|hour|hours)\)", expression)
    # A cron expression can rotate on any day it matches: not allowed for this secret.
    assert found, f"only rate() schedules can be checked: {expression}"
    amount, unit = int(found.group(1)), found.group(2)
    return timedelta(days=amount) if unit.startswith("day") else timedelta(hours=amount)


def signing_schedule() -> dict[str, Any]:
    matching = [
        s["Properties"]
        for s in SCHEDULES.values()
        if s["Properties"]["SecretId"] == {"Ref": "UnsubscribeSecret"}
    ]
    assert len(matching) == 1, "the links' signing secret has one rotation schedule"
    return matching[0]


def test_the_signing_key_rotates_no_sooner_than_the_longest_token_lives() -> None:
    longest = max(TOKEN_LIFETIME, ACTION_TOKEN_LIFETIME)
    every = interval(signing_schedule()["RotationRules"])
    assert every - ROTATION_WINDOW >= longest, (every, longest)


def test_the_check_refuses_a_schedule_that_would_break_mailed_links() -> None:
    longest = max(TOKEN_LIFETIME, ACTION_TOKEN_LIFETIME)
    for rules in (
        {"ScheduleExpression": "rate(30 days)"},
        {"ScheduleExpression": "rate(365 days)"},
        {"AutomaticallyAfterDays": 90},
    ):
        assert interval(rules) - ROTATION_WINDOW < longest, rules


def test_a_template_update_never_rotates_by_itself() -> None:
    # Two updates in a row would rotate twice and drop the key of links still mailed.
    assert signing_schedule()["RotateImmediatelyOnUpdate"] is False


def test_only_the_signing_secret_rotates() -> None:
    rotated = {json.dumps(s["Properties"]["SecretId"]) for s in SCHEDULES.values()}
    # the address-hash key must never rotate: a new key forgets every suppression
    assert rotated == {json.dumps({"Ref": "UnsubscribeSecret"})}


def test_the_rotation_function_may_touch_only_the_signing_secret() -> None:
    schedule = signing_schedule()
    function_id = schedule["RotationLambdaARN"]["Fn::GetAtt"][0]
    function = RESOURCES[function_id]["Properties"]
    variables = function["Environment"]["Variables"]
    assert variables["SIGNING_SECRET_ARN"] == {"Ref": "UnsubscribeSecret"}
    statements = [s for p in function["Policies"] for s in p["Statement"]]
    assert statements, "the function has its own inline policy"
    actions: set[str] = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == {"Ref": "UnsubscribeSecret"}, statement
        actions |= set(statement["Action"] if isinstance(statement["Action"], list) else [])
    assert actions == ROTATION_ACTIONS


def test_only_secrets_manager_may_invoke_it_for_this_secret_in_this_account() -> None:
    function_id = signing_schedule()["RotationLambdaARN"]["Fn::GetAtt"][0]
    permissions = [
        r["Properties"]
        for r in resources_of_type(TEMPLATE, "AWS::Lambda::Permission").values()
        if r["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
            "Principal": "secretsmanager.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": {"Ref": "UnsubscribeSecret"},
        }
    ]
    # no event source of its own: only the schedule runs it
    assert not RESOURCES[function_id]["Properties"].get("Events")

"""Least privilege in template.yaml: no wildcard where a narrower action or resource exists."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from boto3.session import Session
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

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
        for resource in as_list(statement.get("Resource", statement.get("NotResource"))):
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


# ------------------------------------------------------------ what SAM adds
# `sam deploy` turns each function into a role whose policies come partly from SAM:
# managed policies for logging, tracing and event sources, inline policies for event
# destinations, and Lambda permissions for the event sources. The template is
# transformed here, offline, by the same translator `sam` uses.

# Managed policies SAM may attach, with why each is acceptable.
ACCEPTED_MANAGED_POLICIES = {
    # logs:CreateLogGroup/CreateLogStream/PutLogEvents on *; the functions log to the
    # template's own groups (LoggingConfig).
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    # X-Ray has no resource-level permissions (Tracing: Active).
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    # sqs:ReceiveMessage/DeleteMessage/GetQueueAttributes on *, for an SQS event source;
    # accepted only with a Deny that confines them to the function's own queue (below).
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
}
SQS_POLLING_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}


def _deployable(template: dict[str, Any]) -> dict[str, Any]:
    """The template as `sam package` leaves it: code in S3, ready for the transform."""
    copied = copy.deepcopy(template)
    for name, resource in copied["Resources"].items():
        properties = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if key in properties:
                properties[key] = f"s3://bounceback-artifacts/{name}.zip"
    return copied


@pytest.fixture(scope="module")
def transformed() -> dict[str, Any]:
    translator = Translator(None, Parser(), boto_session=Session(region_name="us-east-1"))
    result: dict[str, Any] = translator.translate(
        sam_template=_deployable(TEMPLATE),
        parameter_values={"PublicBaseUrl": "https://bounceback.example"},
        get_managed_policy_map=lambda: {},
    )
    return result


def _roles(transformed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in transformed["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
    }


def test_the_transform_makes_one_role_per_function(transformed: dict[str, Any]) -> None:
    assert set(_roles(transformed)) == {f"{name}Role" for name in FUNCTIONS}


def test_sam_attaches_only_the_accepted_managed_policies(transformed: dict[str, Any]) -> None:
    for name, role in _roles(transformed).items():
        attached = set(role.get("ManagedPolicyArns", []))
        assert attached <= ACCEPTED_MANAGED_POLICIES, (name, attached)


def test_sqs_polling_is_confined_to_the_functions_own_queue(transformed: dict[str, Any]) -> None:
    for name, role in _roles(transformed).items():
        if "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole" not in role.get(
            "ManagedPolicyArns", []
        ):
            continue
        function = name.removesuffix("Role")
        queues = [
            event["Properties"]["Queue"]
            for event in FUNCTIONS[function]["Properties"].get("Events", {}).values()
            if event["Type"] == "SQS"
        ]
        denies = [
            s
            for policy in role.get("Policies", [])
            for s in policy["PolicyDocument"]["Statement"]
            if s["Effect"] == "Deny"
        ]
        assert any(
            set(as_list(s["Action"])) >= SQS_POLLING_ACTIONS and as_list(s["NotResource"]) == queues
            for s in denies
        ), (name, denies)


def test_sam_added_inline_policies_name_their_resources(transformed: dict[str, Any]) -> None:
    for name, role in _roles(transformed).items():
        for policy in role.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                for action in as_list(statement["Action"]):
                    assert "*" not in action, (name, policy["PolicyName"], action)
                for resource in as_list(statement.get("Resource", [])):
                    assert resource != "*", (name, policy["PolicyName"])


def test_every_invoke_permission_names_its_source(transformed: dict[str, Any]) -> None:
    permissions = [
        (name, resource["Properties"])
        for name, resource in transformed["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Permission"
    ]
    assert permissions
    for name, permission in permissions:
        assert permission.get("SourceArn"), name


# ------------------------------------------------------------ item-level limits
def _on_table(statement: dict[str, Any]) -> bool:
    return {"Fn::GetAtt": ["Table", "Arn"]} in as_list(statement["Resource"])


def _leading_keys(statement: dict[str, Any]) -> list[str] | None:
    for operator, keys in (statement.get("Condition") or {}).items():
        if operator.startswith("ForAllValues:") and "dynamodb:LeadingKeys" in keys:
            return list(keys["dynamodb:LeadingKeys"])
    return None


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_table_access_is_limited_to_named_partitions(name: str) -> None:
    """Each function reaches only the partitions of its kind: users' or the dispatcher's.

    The caller's own `sub` cannot be named here (one role serves every user); the API
    keeps users apart in code (tests/security/test_ownership.py).
    """
    for statement in statements(FUNCTIONS[name]):
        if statement["Effect"] == "Allow" and _on_table(statement):
            keys = _leading_keys(statement)
            assert keys, (name, statement.get("Sid"))
            assert set(keys) <= {"USER#*", "DISPATCHER", "CAL#*"}, (name, keys)


def test_only_the_api_reaches_calendar_lookups_and_only_item_by_item() -> None:
    """A feed's secret leads to its user by one GetItem; nothing may list or query them."""
    for name, function in FUNCTIONS.items():
        for statement in statements(function):
            if statement["Effect"] != "Allow" or not _on_table(statement):
                continue
            keys = _leading_keys(statement) or []
            if "CAL#*" not in keys:
                continue
            assert name == "ApiFunction", name
            assert keys == ["CAL#*"], keys
            assert set(as_list(statement["Action"])) == {
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
            }


def test_only_the_dispatcher_reaches_its_own_item() -> None:
    for name, function in FUNCTIONS.items():
        for statement in statements(function):
            if statement["Effect"] == "Allow" and _on_table(statement):
                assert ("DISPATCHER" in (_leading_keys(statement) or [])) == (
                    name == "DispatcherFunction"
                ), (name, statement.get("Sid"))


def test_ses_events_may_change_only_the_suppression_fields() -> None:
    suppression_fields = {"pk", "sk", "suppressed", "plan_version", "due_bucket", "due_at"}
    writes = [
        s
        for s in statements(FUNCTIONS["SesEventsFunction"])
        if _on_table(s) and {"dynamodb:UpdateItem", "dynamodb:PutItem"} & set(as_list(s["Action"]))
    ]
    assert writes
    for statement in writes:
        assert as_list(statement["Action"]) == ["dynamodb:UpdateItem"], statement
        attributes = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"]
        assert set(attributes) <= suppression_fields, attributes


def test_ses_events_reads_of_the_table_return_only_keys_and_message_ids() -> None:
    for statement in statements(FUNCTIONS["SesEventsFunction"]):
        if _on_table(statement) and "dynamodb:Query" in as_list(statement["Action"]):
            condition = statement["Condition"]
            attributes = condition["ForAllValues:StringEquals"]["dynamodb:Attributes"]
            assert set(attributes) <= {"pk", "sk", "message_id"}
            assert condition["StringEquals"]["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"


def test_only_the_api_deletes_sign_ins_and_only_in_its_own_pool() -> None:
    holders = {
        (name, json.dumps(s["Resource"]))
        for name, function in FUNCTIONS.items()
        for s in statements(function)
        if "cognito-idp:AdminDeleteUser" in as_list(s["Action"])
    }
    assert holders == {("ApiFunction", json.dumps({"Fn::GetAtt": ["UserPool", "Arn"]}))}
    for name, function in FUNCTIONS.items():
        for s in statements(function):
            cognito = [a for a in as_list(s["Action"]) if a.startswith("cognito-idp:")]
            assert cognito in ([], ["cognito-idp:AdminDeleteUser"]), (name, cognito)

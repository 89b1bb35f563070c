"""Static checks of template.yaml: bounces and complaints reach the function, none is lost,
logs do not live forever, and mail leaves authenticated and encrypted in transit."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from bounceback_local.template import ROOT, load_template, resources_of_type

pytestmark = pytest.mark.security

TEMPLATE = load_template()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
CONFIGURATION_SET_ARN = {
    "Fn::Sub": (
        "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
        ":configuration-set/${ConfigurationSet}"
    )
}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def ses_topics() -> list[dict[str, Any]]:
    """The topics an SES event destination publishes to."""
    topics = []
    for destination in resources_of_type(
        TEMPLATE, "AWS::SES::ConfigurationSetEventDestination"
    ).values():
        arn = destination["Properties"]["EventDestination"]["SnsDestination"]["TopicARN"]
        topics.append(RESOURCES[arn["Ref"]])
    assert topics
    return topics


# ------------------------------------------------------------ SES can publish
def test_the_ses_topic_is_not_encrypted_with_an_aws_managed_key() -> None:
    """An AWS-managed key's policy cannot grant SES, so SES could not publish at all."""
    for topic in ses_topics():
        key = topic["Properties"].get("KmsMasterKeyId")
        assert key is not None, "the topic must be encrypted"
        assert not (isinstance(key, str) and "alias/aws/" in key), key
        assert isinstance(key, dict), f"{key!r} is not a key of this template"
        logical = key.get("Ref") or key["Fn::GetAtt"][0]
        assert RESOURCES[logical]["Type"] == "AWS::KMS::Key"


def _topic_key(topic: dict[str, Any]) -> dict[str, Any]:
    key = topic["Properties"]["KmsMasterKeyId"]
    return RESOURCES[key.get("Ref") or key["Fn::GetAtt"][0]]["Properties"]


def test_the_topic_key_lets_ses_use_it_for_this_configuration_set_only() -> None:
    for topic in ses_topics():
        key = _topic_key(topic)
        assert key["EnableKeyRotation"] is True
        statements = key["KeyPolicy"]["Statement"]
        ses = [s for s in statements if s["Principal"] == {"Service": "ses.amazonaws.com"}]
        assert len(ses) == 1
        [grant] = ses
        assert grant["Effect"] == "Allow"
        assert set(as_list(grant["Action"])) == {"kms:GenerateDataKey*", "kms:Decrypt"}
        condition = grant["Condition"]["StringEquals"]
        assert condition["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
        assert condition["aws:SourceArn"] == CONFIGURATION_SET_ARN


def test_the_topic_key_is_administered_by_the_account_and_open_to_no_one_else() -> None:
    for topic in ses_topics():
        statements = _topic_key(topic)["KeyPolicy"]["Statement"]
        principals = [s["Principal"] for s in statements]
        assert "*" not in principals and {"AWS": "*"} not in principals
        assert {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}} in (
            principals
        ), "without the account's root, the key could become unmanageable"


def test_only_this_configuration_set_may_publish_to_the_topic() -> None:
    policies = resources_of_type(TEMPLATE, "AWS::SNS::TopicPolicy").values()
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    publishers = [s for s in statements if "sns:Publish" in as_list(s["Action"])]
    assert publishers
    for statement in publishers:
        assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
        condition = statement["Condition"]["StringEquals"]
        assert condition["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
        assert condition["aws:SourceArn"] == CONFIGURATION_SET_ARN


# ------------------------------------------------------------ no event is lost
def _function_of(topic_name: str) -> dict[str, Any]:
    for function in resources_of_type(TEMPLATE, "AWS::Serverless::Function").values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SNS" and event["Properties"]["Topic"] == {"Ref": topic_name}:
                return dict(function["Properties"])
    raise AssertionError(f"no function reads {topic_name}")


def test_ses_events_that_fail_land_in_a_queue_with_an_alarm() -> None:
    properties = _function_of("SesEventsTopic")
    on_failure = properties["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert on_failure["Type"] == "SQS"
    queue = on_failure["Destination"]["Fn::GetAtt"][0]
    assert RESOURCES[queue]["Type"] == "AWS::SQS::Queue"
    assert RESOURCES[queue]["Properties"]["MessageRetentionPeriod"] == 1209600
    watched = [
        alarm["Properties"]
        for alarm in resources_of_type(TEMPLATE, "AWS::CloudWatch::Alarm").values()
        if {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}
        in alarm["Properties"].get("Dimensions", [])
    ]
    assert len(watched) == 1
    [alarm] = watched
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Threshold"] == 0


def test_the_checkov_skip_reason_for_function_dlqs_matches_the_template() -> None:
    text = (ROOT / ".checkov.yaml").read_text(encoding="utf-8")
    block = text.split("- CKV_AWS_116")[0].rsplit("\n\n", 1)[-1]
    assert "EventInvokeConfig" in block, "the skip must name what the template really has"


# ------------------------------------------------------------ logs and TTLs
def test_every_log_group_has_a_retention() -> None:
    groups = resources_of_type(TEMPLATE, "AWS::Logs::LogGroup")
    assert groups
    for name, group in groups.items():
        assert group["Properties"].get("RetentionInDays"), name


@pytest.mark.parametrize("name", sorted(resources_of_type(TEMPLATE, "AWS::Serverless::Function")))
def test_every_function_logs_to_a_group_of_the_template(name: str) -> None:
    """Lambda's own /aws/lambda/<name> group would keep everything forever."""
    config = RESOURCES[name]["Properties"].get("LoggingConfig") or {}
    target = config.get("LogGroup")
    assert isinstance(target, dict), f"{name} logs to Lambda's default group"
    assert RESOURCES[target["Ref"]]["Type"] == "AWS::Logs::LogGroup"


def _written_by_the_code(attribute: str) -> bool:
    sources = (ROOT / "shared" / "bounceback").rglob("*.py")
    pattern = re.compile(rf"\b{re.escape(attribute)}\b")
    return any(pattern.search(path.read_text(encoding="utf-8")) for path in sources)


def test_every_ttl_attribute_is_one_something_writes() -> None:
    """A TTL on an attribute nothing writes promises an expiry that never happens."""
    powertools_expiry = (
        inspect.signature(DynamoDBPersistenceLayer.__init__).parameters["expiry_attr"].default
    )
    for name, table in resources_of_type(TEMPLATE, "AWS::DynamoDB::Table").items():
        ttl = table["Properties"].get("TimeToLiveSpecification")
        if not ttl:
            continue
        attribute = ttl["AttributeName"]
        if name == "IdempotencyTable":
            assert attribute == powertools_expiry, "Powertools writes its own expiry"
        else:
            assert _written_by_the_code(attribute), (name, attribute)


def test_suppression_outlives_erasure() -> None:
    """Suppressed addresses live outside the users' partitions and never expire."""
    table = RESOURCES["SuppressionTable"]
    assert table["DeletionPolicy"] == "Retain"
    assert "TimeToLiveSpecification" not in table["Properties"]
    key = [{"AttributeName": "address_hash", "KeyType": "HASH"}]
    assert table["Properties"]["KeySchema"] == key


# ------------------------------------------------------------ mail authentication
def test_mail_leaves_only_over_tls() -> None:
    for configuration in resources_of_type(TEMPLATE, "AWS::SES::ConfigurationSet").values():
        assert configuration["Properties"]["DeliveryOptions"]["TlsPolicy"] == "REQUIRE"


def test_a_domain_identity_with_dkim_can_be_chosen() -> None:
    domains = [
        identity
        for identity in resources_of_type(TEMPLATE, "AWS::SES::EmailIdentity").values()
        if identity.get("Condition") == "UsesDomainIdentity"
    ]
    assert len(domains) == 1
    [domain] = domains
    assert domain["Properties"]["DkimAttributes"] == {"SigningEnabled": True}
    assert domain["Properties"]["DkimSigningAttributes"]["NextSigningKeyLength"] == "RSA_2048_BIT"
    outputs = TEMPLATE["Outputs"]
    assert {outputs[f"DkimRecord{i}"]["Condition"] for i in (1, 2, 3)} == {"UsesDomainIdentity"}


def test_the_readme_says_how_to_check_that_complaints_arrive() -> None:
    readme = Path(ROOT / "README.md").read_text(encoding="utf-8")
    assert "complaint@simulator.amazonses.com" in readme

"""Create every resource of `template.yaml` in a moto account (in-process or a server).

Tests and the local stack call `provision`; it reads each resource's own properties
from the template (no second description) and returns a `Resolver` that knows the
physical names, so function environments resolve to the resources just created.
Physical names are the logical ids: a moto account holds one Bounceback.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

import boto3

from bounceback_local.template import (
    PLACEHOLDER_PARAMETERS,
    Resolver,
    check_parameters,
    create_tables,
    is_created,
    load_template,
    resources_of_type,
)

ACCOUNT = "123456789012"


def _arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def provision(
    template: Mapping[str, Any] | None = None,
    *,
    region: str = "us-east-1",
    endpoint_url: str | None = None,
    parameters: Mapping[str, str] | None = None,
) -> Resolver:
    """Create the template's resources; return a resolver for their physical names.

    Parameters are checked as CloudFormation checks them; those a deploy must give
    get `PLACEHOLDER_PARAMETERS` unless `parameters` names them.
    """
    template = template or load_template()
    given = {**PLACEHOLDER_PARAMETERS, **dict(parameters or {})}
    values = check_parameters(template, given)
    resolver = Resolver(template, refs={"AWS::Region": region, **values})
    client = _client_factory(region, endpoint_url)
    resources = {
        name: resource
        for name, resource in (template.get("Resources") or {}).items()
        if is_created(resource, resolver)
    }

    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    for name in tables:
        resolver.refs[name] = name
        resolver.attributes[f"{name}.Arn"] = _arn("dynamodb", region, f"table/{name}")
        resolver.attributes[f"{name}.StreamArn"] = _arn(
            "dynamodb", region, f"table/{name}/stream/local"
        )
    create_tables(client("dynamodb"), template, {name: name for name in tables})

    for name, resource in resources.items():
        kind = resource.get("Type")
        props = resource.get("Properties") or {}
        if kind == "AWS::SecretsManager::Secret":
            generate = props.get("GenerateSecretString") or {}
            length = int(generate.get("PasswordLength", 48))
            value = props.get("SecretString") or secrets.token_urlsafe(length)[:length]
            arn = client("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"]
            resolver.refs[name] = arn
            resolver.attributes[f"{name}.Id"] = arn
        elif kind == "AWS::SSM::Parameter":
            client("ssm").put_parameter(
                Name=props.get("Name", name),
                Value=str(resolver.resolve(props["Value"])),
                Type="String",
            )
            resolver.refs[name] = props.get("Name", name)
        elif kind == "AWS::SNS::Topic":
            arn = client("sns").create_topic(Name=name)["TopicArn"]
            resolver.refs[name] = arn
            resolver.attributes[f"{name}.TopicArn"] = arn

    # Queues: dead-letter queues first, so a redrive policy can name them.
    queues = resources_of_type(template, "AWS::SQS::Queue")
    ordered = sorted(queues, key=lambda n: "RedrivePolicy" in (queues[n].get("Properties") or {}))
    sqs = client("sqs")
    for name in ordered:
        props = queues[name].get("Properties") or {}
        attributes: dict[str, str] = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
        ):
            if key in props:
                attributes[key] = str(resolver.resolve(props[key]))
        if "RedrivePolicy" in props:
            attributes["RedrivePolicy"] = json.dumps(resolver.resolve(props["RedrivePolicy"]))
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        resolver.refs[name] = url
        resolver.attributes[f"{name}.Arn"] = _arn("sqs", region, name)
        resolver.attributes[f"{name}.QueueName"] = name
        resolver.attributes[f"{name}.QueueUrl"] = url

    for name, resource in resources.items():
        kind = resource.get("Type")
        props = resource.get("Properties") or {}
        if kind in ("AWS::SES::ConfigurationSet", "AWS::SESV2::ConfigurationSet"):
            set_name = str(resolver.resolve(props.get("Name", name)))
            client("sesv2").create_configuration_set(ConfigurationSetName=set_name)
            resolver.refs[name] = set_name
        elif kind in ("AWS::SES::EmailIdentity", "AWS::SESV2::EmailIdentity"):
            identity = str(resolver.resolve(props["EmailIdentity"]))
            client("sesv2").create_email_identity(EmailIdentity=identity)
            client("ses").verify_email_identity(EmailAddress=identity)
            resolver.refs[name] = identity
        elif kind == "AWS::Cognito::UserPool":
            pool = client("cognito-idp").create_user_pool(
                PoolName=name, UsernameAttributes=list(props.get("UsernameAttributes", []))
            )["UserPool"]
            resolver.refs[name] = pool["Id"]
            resolver.attributes[f"{name}.Arn"] = pool["Arn"]
            resolver.attributes[f"{name}.ProviderURL"] = (
                f"https://cognito-idp.{region}.amazonaws.com/{pool['Id']}"
            )

    for name, resource in resources.items():
        if resource.get("Type") == "AWS::Cognito::UserPoolClient":
            props = resource.get("Properties") or {}
            created = client("cognito-idp").create_user_pool_client(
                UserPoolId=str(resolver.resolve(props["UserPoolId"])),
                ClientName=name,
                GenerateSecret=bool(props.get("GenerateSecret", False)),
                ExplicitAuthFlows=[
                    *props.get("ExplicitAuthFlows", []),
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                ],
            )["UserPoolClient"]
            resolver.refs[name] = created["ClientId"]
    for name in resources_of_type(template, "AWS::Serverless::HttpApi"):
        resolver.refs[name] = "local"
    return resolver


def _client_factory(region: str, endpoint_url: str | None) -> Any:
    session: Any = boto3.session.Session(region_name=region)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)

    return client

"""Read `template.yaml`: the one description of Bounceback's resources.

Tests and the local stack create tables, queues and everything else from what this
module reads, and run each function with the handler and environment the template
gives it, so neither can drift from what `sam deploy` creates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"

_SHORT_TAGS = {
    "!Ref": "Ref",
    "!Sub": "Fn::Sub",
    "!GetAtt": "Fn::GetAtt",
    "!If": "Fn::If",
    "!Not": "Fn::Not",
    "!Equals": "Fn::Equals",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!FindInMap": "Fn::FindInMap",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Base64": "Fn::Base64",
    "!Condition": "Condition",
}


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that reads CloudFormation's short tags as their long form."""


def _construct(loader: yaml.SafeLoader, tag: str, node: yaml.Node) -> dict[str, Any]:
    name = _SHORT_TAGS[tag]
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(
            None, None, f"unexpected node for {tag}", node.start_mark
        )
    return {name: value}


def _constructor_for(tag: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        return _construct(loader, tag, node)

    return construct


for _tag in _SHORT_TAGS:
    _CfnLoader.add_constructor(_tag, _constructor_for(_tag))


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return document


# Values for the parameters a deploy must give (no default), for stacks no one outside
# reaches: the tests and the local stack (which points its URL variables at itself).
PLACEHOLDER_PARAMETERS = {"PublicBaseUrl": "https://bounceback.invalid"}


class ParameterError(ValueError):
    """A parameter value CloudFormation would refuse."""


def check_parameters(template: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, str]:
    """Every parameter's value (given, else its default), checked as CloudFormation does.

    Refuses a missing value without a default and one outside `AllowedValues`,
    `AllowedPattern` (matched in full) or the length and number bounds.
    """
    checked: dict[str, str] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if name in values:
            value = str(values[name])
        elif "Default" in spec:
            value = str(spec["Default"])
        else:
            raise ParameterError(f"{name}: a value is required (it has no default)")
        allowed = spec.get("AllowedValues")
        if allowed is not None and value not in [str(a) for a in allowed]:
            raise ParameterError(f"{name}: {value!r} is not one of {allowed}")
        pattern = spec.get("AllowedPattern")
        if pattern is not None and re.fullmatch(str(pattern), value) is None:
            raise ParameterError(f"{name}: {value!r} does not match {pattern}")
        if "MinLength" in spec and len(value) < int(spec["MinLength"]):
            raise ParameterError(f"{name}: shorter than {spec['MinLength']}")
        if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
            raise ParameterError(f"{name}: longer than {spec['MaxLength']}")
        if spec.get("Type") == "Number":
            number = float(value)
            if "MinValue" in spec and number < float(spec["MinValue"]):
                raise ParameterError(f"{name}: below {spec['MinValue']}")
            if "MaxValue" in spec and number > float(spec["MaxValue"]):
                raise ParameterError(f"{name}: above {spec['MaxValue']}")
        checked[name] = value
    return checked


def is_created(resource: Mapping[str, Any], resolver: Resolver) -> bool:
    """False when the resource's `Condition` leaves it out of the stack."""
    condition = resource.get("Condition")
    return condition is None or resolver.condition(str(condition))


@dataclass
class Resolver:
    """Resolves intrinsic functions against local names for the template's resources.

    `refs` maps a logical id (or parameter name) to what `!Ref` gives; `attributes`
    maps ``"Logical.Attribute"`` to what `!GetAtt` gives.
    """

    template: Mapping[str, Any]
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, spec in (self.template.get("Parameters") or {}).items():
            self.refs.setdefault(name, str(spec.get("Default", "")))
        self.refs.setdefault("AWS::Region", "us-east-1")
        self.refs.setdefault("AWS::AccountId", "123456789012")
        self.refs.setdefault("AWS::URLSuffix", "amazonaws.com")
        self.refs.setdefault("AWS::StackName", "bounceback")
        self.refs.setdefault("AWS::Partition", "aws")

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template["Conditions"][name]))

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.resolve(v) for k, v in value.items()}
        ((key, arg),) = value.items()
        if key == "Ref":
            return self.refs.get(arg, arg)
        if key == "Fn::GetAtt":
            logical, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return self.attributes.get(f"{logical}.{attribute}", f"{logical}.{attribute}")
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
            return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1), variables), text)
        if key == "Fn::If":
            name, when_true, when_false = arg
            return self.resolve(when_true if self.condition(name) else when_false)
        if key == "Fn::Not":
            return not self.resolve(arg[0])
        if key == "Fn::Equals":
            left, right = self.resolve(arg)
            return str(left) == str(right)
        if key == "Fn::And":
            return all(self.resolve(arg))
        if key == "Fn::Or":
            return any(self.resolve(arg))
        if key == "Condition":
            return self.condition(arg)
        if key == "Fn::Join":
            separator, parts = arg
            return separator.join(str(p) for p in self.resolve(parts))
        if key == "Fn::Select":
            index, items = arg
            return self.resolve(items)[int(index)]
        if key == "Fn::Split":
            separator, text = arg
            return str(self.resolve(text)).split(separator)
        return {key: self.resolve(arg)}

    def _sub(self, name: str, variables: Mapping[str, Any]) -> str:
        if name in variables:
            return str(variables[name])
        if "." in name:
            return str(self.resolve({"Fn::GetAtt": name.split(".", 1)}))
        return str(self.refs.get(name, name))


@dataclass(frozen=True)
class FunctionSpec:
    """One `AWS::Serverless::Function`, as `sam local invoke` would run it."""

    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    events: dict[str, dict[str, Any]]
    properties: dict[str, Any]


def resources_of_type(template: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: spec
        for name, spec in (template.get("Resources") or {}).items()
        if spec.get("Type") == kind
    }


def functions(template: Mapping[str, Any], resolver: Resolver) -> dict[str, FunctionSpec]:
    """Every function with Globals merged in and its environment resolved."""
    global_props = (template.get("Globals") or {}).get("Function") or {}
    global_env = (global_props.get("Environment") or {}).get("Variables") or {}
    specs: dict[str, FunctionSpec] = {}
    for name, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        props = resource.get("Properties") or {}
        env = {**global_env, **((props.get("Environment") or {}).get("Variables") or {})}
        specs[name] = FunctionSpec(
            logical_id=name,
            code_dir=ROOT / str(props["CodeUri"]),
            handler=str(props["Handler"]),
            environment={k: str(resolver.resolve(v)) for k, v in env.items()},
            events={k: dict(v) for k, v in (props.get("Events") or {}).items()},
            properties={**global_props, **props},
        )
    return specs


def table_definition(properties: Mapping[str, Any], table_name: str) -> dict[str, Any]:
    """`CreateTable` arguments from an `AWS::DynamoDB::Table`'s properties."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
    }
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification"):
        if key in properties:
            request[key] = properties[key]
    return request


def create_tables(
    dynamodb_client: Any, template: Mapping[str, Any], names: Mapping[str, str]
) -> None:
    """Create every table of the template (named by `names[logical id]`), with its TTL."""
    for logical, resource in resources_of_type(template, "AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        name = names[logical]
        dynamodb_client.create_table(**table_definition(props, name))
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb_client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )

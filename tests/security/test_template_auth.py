"""Static checks of template.yaml's sign-in: verified address changes, Cognito's mail through
our SES identity, optional MFA, and a callback that is always the service's https URL."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bounceback_local.template import (
    PLACEHOLDER_PARAMETERS,
    ParameterError,
    Resolver,
    check_parameters,
    load_template,
)

pytestmark = pytest.mark.security

TEMPLATE = load_template()
PARAMETERS: dict[str, dict[str, Any]] = TEMPLATE["Parameters"]
POOL = TEMPLATE["Resources"]["UserPool"]["Properties"]
CLIENT = TEMPLATE["Resources"]["UserPoolClient"]["Properties"]


def resolved(value: Any, **parameters: str) -> Any:
    values = check_parameters(TEMPLATE, {**PLACEHOLDER_PARAMETERS, **parameters})
    return Resolver(TEMPLATE, refs=dict(values)).resolve(value)


def test_an_address_change_waits_for_its_verification() -> None:
    settings = POOL["UserAttributeUpdateSettings"]
    assert settings["AttributesRequireVerificationBeforeUpdate"] == ["email"]


def test_cognito_mails_through_the_projects_ses_identity_by_default() -> None:
    config = resolved(POOL["EmailConfiguration"])
    assert config["EmailSendingAccount"] == "DEVELOPER"
    assert config["From"] == "Bounceback <nudges@bounceback.example>"
    assert config["SourceArn"] == (
        "arn:aws:ses:us-east-1:123456789012:identity/nudges@bounceback.example"
    )
    assert config["ConfigurationSet"] == "ConfigurationSet"


def test_with_a_domain_identity_cognito_names_the_domain() -> None:
    config = resolved(POOL["EmailConfiguration"], SenderIdentityType="domain")
    assert config["SourceArn"] == "arn:aws:ses:us-east-1:123456789012:identity/bounceback.example"


def test_totp_mfa_is_offered() -> None:
    assert POOL["MfaConfiguration"] == "OPTIONAL"
    assert POOL["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_the_sender_has_a_display_name_and_an_optional_mailto_unsubscribe() -> None:
    assert PARAMETERS["SenderDisplayName"]["Default"] == "Bounceback"
    # A comma or quote would turn the From header into two addresses or break it.
    name_pattern = PARAMETERS["SenderDisplayName"]["AllowedPattern"]
    for name in ("Bounceback", "Job Coach", "O'Neil-Smith"):
        assert re.fullmatch(name_pattern, name)
    for name in ("Doe, John", 'A "B"', "x <evil@example.com>", ""):
        assert not re.fullmatch(name_pattern, name)
    assert PARAMETERS["ListUnsubscribeMailto"]["Default"] == ""
    pattern = PARAMETERS["ListUnsubscribeMailto"]["AllowedPattern"]
    assert re.fullmatch(pattern, "unsubscribe@bounceback.example")
    assert re.fullmatch(pattern, "")
    assert not re.fullmatch(pattern, "mailto:x@y.example")
    sender = TEMPLATE["Resources"]["SenderFunction"]["Properties"]["Environment"]["Variables"]
    assert sender["SENDER_DISPLAY_NAME"] == {"Ref": "SenderDisplayName"}
    assert sender["LIST_UNSUBSCRIBE_MAILTO"] == {"Ref": "ListUnsubscribeMailto"}


@pytest.mark.parametrize(
    "value",
    [
        "",
        "http://bounceback.example",
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "https://bounceback.example/",
        "https://bounceback.example/x?y=1",
        " https://bounceback.example",
    ],
)
def test_public_base_url_must_be_given_and_https(value: str) -> None:
    with pytest.raises(ParameterError, match="PublicBaseUrl"):
        check_parameters(TEMPLATE, {"PublicBaseUrl": value})


@pytest.mark.parametrize(
    "value",
    [
        "https://bounceback.example",
        "https://abc123.execute-api.eu-west-1.amazonaws.com",
        "https://example.org/bounceback",
    ],
)
def test_public_base_url_takes_the_service_urls(value: str) -> None:
    assert check_parameters(TEMPLATE, {"PublicBaseUrl": value})["PublicBaseUrl"] == value


def test_a_deploy_without_public_base_url_is_refused() -> None:
    assert "Default" not in PARAMETERS["PublicBaseUrl"]
    with pytest.raises(ParameterError, match="PublicBaseUrl: a value is required"):
        check_parameters(TEMPLATE, {})


def test_the_sign_in_returns_only_to_the_services_https_url() -> None:
    urls = resolved(CLIENT["CallbackURLs"], PublicBaseUrl="https://bounceback.example")
    assert urls == ["https://bounceback.example/"]
    text = repr(CLIENT["CallbackURLs"])
    assert "localhost" not in text and "http:" not in text


def test_e_mail_links_use_public_base_url_too() -> None:
    sender = TEMPLATE["Resources"]["SenderFunction"]["Properties"]["Environment"]["Variables"]
    assert sender["LINK_BASE_URL"] == {"Ref": "PublicBaseUrl"}


def test_sign_in_uses_the_code_flow_never_tokens_in_the_url() -> None:
    # The web app exchanges an authorization code with a PKCE verifier; the implicit
    # flow would hand tokens to whatever reads the URL.
    assert CLIENT["AllowedOAuthFlows"] == ["code"]
    assert CLIENT["GenerateSecret"] is False


def test_sign_out_returns_to_the_service_itself() -> None:
    assert resolved(CLIENT["LogoutURLs"]) == [f"{PLACEHOLDER_PARAMETERS['PublicBaseUrl']}/"]

"""Sending one e-mail with SES v2, and sorting its failures into what to do next.

The client is made with no SDK-level retries: a retried `SendEmail` after a read
timeout could deliver the same e-mail twice, and retries of throttled sends belong to
SQS (the record fails and comes back after its visibility timeout).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.utils import formataddr
from typing import Any

from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
)

from bounceback.adapters import sessions
from bounceback.ports import (
    USER_TAG,
    AddressRejected,
    OutgoingEmail,
    TransientSendError,
    user_tag_value,
)

# Error codes meaning SES did not take the message and may take it later.
_TRANSIENT_CODES = frozenset(
    {
        "TooManyRequestsException",
        "Throttling",
        "ThrottlingException",
        "LimitExceededException",
        "SendingPausedException",
        "AccountSuspendedException",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)
# Error codes meaning this recipient cannot be mailed (SES refused the address).
_ADDRESS_CODES = frozenset({"MessageRejected", "MailFromDomainNotVerifiedException"})


def from_header(address: str, display_name: str) -> str:
    """`Display Name <address>`, quoted or RFC 2047-encoded where the name needs it."""
    name = " ".join(display_name.split())  # one line: no header injection
    return formataddr((name, address)) if name else address


class SesMailer:
    """SES v2 `SendEmail` with a configuration set and the user id as a tag.

    The e-mails come from `display_name <from_address>`, so mail apps show
    "Bounceback" rather than the address's local part.
    """

    def __init__(
        self,
        from_address: str,
        configuration_set: str,
        client: Any | None = None,
        *,
        display_name: str = "",
    ) -> None:
        self._from = from_header(from_address, display_name)
        self._configuration_set = configuration_set
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = sessions.client(
                "sesv2", config=Config(retries={"total_max_attempts": 1, "mode": "standard"})
            )
        return self._client

    def send(self, email: OutgoingEmail) -> str:
        """Send `email`; returns SES's message id or raises a `SendFailed`."""
        headers: Sequence[Mapping[str, str]] = [
            {"Name": name, "Value": value} for name, value in email.headers.items()
        ]
        try:
            reply = self.client.send_email(
                FromEmailAddress=self._from,
                Destination={"ToAddresses": [email.to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": email.text, "Charset": "UTF-8"},
                            "Html": {"Data": email.html, "Charset": "UTF-8"},
                        },
                        "Headers": list(headers),
                    }
                },
                EmailTags=[{"Name": USER_TAG, "Value": user_tag_value(email.user_id)}],
                ConfigurationSetName=self._configuration_set,
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _ADDRESS_CODES:
                raise AddressRejected(code) from exc
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            if code in _TRANSIENT_CODES or status == 429 or status >= 500:
                raise TransientSendError(code or str(status)) from exc
            raise
        except (ConnectTimeoutError, EndpointConnectionError) as exc:
            # The request never reached SES: safe to try again.
            raise TransientSendError(type(exc).__name__) from exc
        message_id: str = reply["MessageId"]
        return message_id

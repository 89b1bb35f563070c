"""One AWS SDK session per thread, shared by every client the adapters build.

A new botocore session reads the SDK's service and endpoint data again (about 60 ms of
CPU each). pynamodb gives every model class a session of its own, boto3 clients share
boto3's default one, and each Powertools parameters provider makes another, so a cold
start that touched six kinds of item and read a secret paid for eight. Here they all
share one per thread (per thread because botocore's client creation is not
thread-safe; its clients are): each client still is its own, built in a few
milliseconds on a session that has the data loaded.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.session
from pynamodb.connection import Connection

_per_thread = threading.local()


def botocore_session() -> botocore.session.Session:
    """This thread's botocore session, made on first use."""
    session: botocore.session.Session | None = getattr(_per_thread, "botocore", None)
    if session is None:
        session = botocore.session.get_session()
        _per_thread.botocore = session
    return session


def boto3_session() -> boto3.Session:
    """This thread's boto3 session, on the same botocore session."""
    session: boto3.Session | None = getattr(_per_thread, "boto3", None)
    if session is None:
        session = boto3.Session(botocore_session=botocore_session())
        _per_thread.boto3 = session
    return session


def client(service_name: str, **options: Any) -> Any:
    """A boto3 client (as `boto3.client`) from this thread's session."""
    return boto3_session().client(service_name, **options)  # type: ignore[call-overload]


class SharedSessionConnection(Connection):
    """A pynamodb connection whose client comes from the thread's session."""

    @property
    def session(self) -> botocore.session.Session:
        return botocore_session()

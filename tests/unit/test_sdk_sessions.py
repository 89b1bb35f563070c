"""Every AWS client of a thread is built on one SDK session (a session costs ~60 ms of
CPU to load botocore's data; pynamodb alone would make one per model class)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import botocore.session

from bounceback.adapters import dynamo, sessions, suppression, tokens


def _sessions_made_while(action: Callable[[], None]) -> int:
    made = 0
    real_init = botocore.session.Session.__init__

    def counting_init(self: botocore.session.Session, *args: Any, **kwargs: Any) -> None:
        nonlocal made
        made += 1
        real_init(self, *args, **kwargs)

    with mock.patch.object(botocore.session.Session, "__init__", counting_init):
        action()
    return made


def _build_every_client() -> None:
    dynamo.bind("table", region="us-east-1", host="http://127.0.0.1:9")
    for item_class in dynamo.ITEM_CLASSES:
        assert item_class._get_connection().connection.client is not None
    assert dynamo.transaction_connection().client is not None
    hashed = suppression.HashedSuppressionList("suppression", lambda: "k", region="us-east-1")
    assert hashed.client is not None
    tokens._secrets.cache_clear()
    assert tokens._secrets("AWSCURRENT") is not tokens._secrets("AWSPREVIOUS")


def test_one_session_serves_every_model_the_transactions_and_the_boto3_clients() -> None:
    made: list[int] = []
    thread = threading.Thread(target=lambda: made.append(_sessions_made_while(_build_every_client)))
    thread.start()
    thread.join()
    # A fresh thread: its one session, whatever the number of clients.
    assert made == [1]


def test_the_models_keep_their_own_table_schema_on_the_shared_session() -> None:
    dynamo.bind("table", region="us-east-1", host="http://127.0.0.1:9")
    profile = dynamo.ProfileItem._get_connection()
    application = dynamo.ApplicationItem._get_connection()
    assert profile.connection.session is application.connection.session
    assert profile.connection is not application.connection
    # Each keeps its indexes: the due index on profiles, the status index on applications.
    assert profile.get_meta_table().get_index_hash_keyname("DueIndex") == "due_bucket"
    assert application.get_meta_table().get_index_hash_keyname("ByStatus") == "pk"


def test_each_thread_has_its_own_session() -> None:
    seen: list[botocore.session.Session] = []
    threads = [
        threading.Thread(target=lambda: seen.append(sessions.botocore_session())) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 2 and seen[0] is not seen[1]
    assert sessions.botocore_session() is sessions.botocore_session()

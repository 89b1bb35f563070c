"""`bounceback local`: the whole system on one machine.

Start order: fake AWS credentials and `AWS_ENDPOINT_URL` in this process's
environment (so boto3 and pynamodb inside the functions reach the embedded moto),
moto restored from the data directory or provisioned from `template.yaml` (it holds
requests until then), the service clock, the real handlers with the template's
environment (each function in worker processes, `bounceback_local.workers`; their
first workers start while the state loads), then the HTTP API, answering as soon as
the state is in place, and (real clock) the schedules and queue pollers.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import boto3

from bounceback.errors import error_body
from bounceback.infra import clock
from bounceback_local.auth import Issuer, Users
from bounceback_local.backend import EmbeddedMoto
from bounceback_local.clocks import ClockWentBackwards, ManualClock, iso, parse_instant
from bounceback_local.gateway import (
    Gateway,
    GatewayServer,
    LocalHandler,
    Reply,
    Request,
    host_checker,
    is_loopback,
    jwt_authorizers,
    routes_of,
)
from bounceback_local.outbox import Outbox, render_page
from bounceback_local.persistence import StateStore
from bounceback_local.provision import provision
from bounceback_local.runtime import apply_environment
from bounceback_local.template import (
    FunctionSpec,
    Resolver,
    functions,
    load_template,
    resources_of_type,
)
from bounceback_local.triggers import Triggers
from bounceback_local.workers import FunctionHost, concurrency_limit, start_fork_server

REGION = "us-east-1"
_CODE_TYPES = {
    "AWS::Serverless::Function",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::HttpApi",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _warm_in_background(
    fork_server: threading.Thread, warm: Callable[[], None]
) -> Callable[[], None]:
    """Warm the workers (once the fork server runs) in a thread; the result waits for it."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fork_server.join()
            warm()
        except BaseException as exc:  # re-raised by the caller's wait
            errors.append(exc)

    thread = threading.Thread(target=run, name="warm workers", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if errors:
            raise errors[0]

    return wait


class DataDirBusy(RuntimeError):
    """Another `bounceback local` runs on this data directory."""


class NotLoopback(ValueError):
    """A host other machines can reach, without `expose`."""


def fingerprint(template: Mapping[str, Any]) -> str:
    """What the stored resources were created from (code-only changes do not count)."""
    resources = {
        name: spec
        for name, spec in (template.get("Resources") or {}).items()
        if spec.get("Type") not in _CODE_TYPES
    }
    return hashlib.sha256(json.dumps(resources, sort_keys=True, default=str).encode()).hexdigest()


def _process_environment(endpoint: str) -> None:
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_TRACE_DISABLED": "1",
        }
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)


def _validation_error(field: str, message: str) -> Reply:
    details = [{"field": field, "message": message}]
    return Reply.json(422, error_body("validation_error", f"invalid fields: {field}", details))


def _bad_request(message: str) -> Reply:
    return Reply.json(400, error_body("bad_request", message))


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    port: int = 3000
    clock_mode: str = "real"
    data_dir: Path = Path(".bounceback")
    quiet: bool = False
    # Listen on an address other machines can reach; the /_local/* routes are then off
    # (anyone could mint a token for any address, or read every user's mail).
    expose: bool = False
    template: dict[str, Any] = field(default_factory=load_template)

    def __post_init__(self) -> None:
        self.data_dir = self.data_dir.resolve()
        self.moto = EmbeddedMoto(closed=True)
        self.store = StateStore(self.data_dir / "state")
        self._lock_file: IO[str] | None = None
        self._tick_lock = threading.Lock()
        self.manual: ManualClock | None = None
        self.server: GatewayServer
        self.workers: FunctionHost
        self.triggers: Triggers
        self.outbox: Outbox
        self.issuer: Issuer
        self.users: Users
        self.restore_report = ""
        self._warming: Callable[[], None] = lambda: None

    # -------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104
        return f"http://{host}:{self.server.port}"

    def start(self) -> None:
        if not (self.expose or is_loopback(self.host)):
            raise NotLoopback(
                f"{self.host} can be reached from other machines; "
                "listen on 127.0.0.1, or pass --expose (the /_local/* routes are then off)"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_data_dir()
        # Bind first: the URL (port 0 picks one) goes into the functions' environment.
        self.server = GatewayServer(self.host, self.port, quiet=self.quiet)
        # The workers' fork server boots on the other core while moto's state loads.
        fork_server = start_fork_server()
        self.moto.start()  # holds every request until the state is in place
        _process_environment(self.moto.url)
        if self.clock_mode == "manual":
            self.manual = ManualClock(self.data_dir / "clock.json")
            clock.use(self.manual.now)
        self.outbox = Outbox(self.data_dir / "outbox.jsonl", clock.now)
        self.moto.journaled.outbox = self.outbox
        saved = self._saved_stack()
        if saved is not None and saved.get("fingerprint") == fingerprint(self.template):
            # The resources are the stored ones, so the functions' environment is known
            # already: their workers start while the state loads.
            resolver = self._resolver_of(saved)
            specs = self._host_functions(resolver)
            warming = _warm_in_background(fork_server, self._warm_workers)
            self._restore()
        else:
            resolver = self._restore_or_provision(saved)
            specs = self._host_functions(resolver)
            warming = _warm_in_background(fork_server, self._warm_workers)

        authorizers = jwt_authorizers(self.template, resolver)
        if authorizers:
            first = authorizers[0]
            self.issuer = Issuer(self.data_dir / "auth", first.issuer, first.audiences[0])
        else:
            self.issuer = Issuer(self.data_dir / "auth", f"{self.url}/", "local")
        self.users = Users(self.data_dir / "auth" / "users.json")
        routes = routes_of(self.template, resolver, specs, self.issuer.jwks())
        domain = self.url.split("://", 1)[1]
        self.server.gateway = Gateway(
            routes,
            self.workers.invoke,
            {} if self.expose else self._local_routes(),
            domain,
            host_allowed=host_checker(self.host, self.server.port),
        )
        self.triggers = Triggers.discover(specs, resolver, self.workers, REGION)
        # What is loaded now lives as long as the stack: keep the collector's full
        # passes from walking it again and again (pauses that grow with the data).
        gc.freeze()
        # The state is in place: answer. A request that comes before its function's
        # first worker is up waits for that worker (a cold start, as on Lambda).
        self._warming = warming
        threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True).start()
        # Queues are looked up meanwhile (a tick waits for that); real time runs the schedules.
        threading.Thread(target=self._run_triggers, name="triggers", daemon=True).start()

    def _run_triggers(self) -> None:
        try:
            if self.manual is None:
                self.triggers.start()
            else:
                self.triggers.connect()
        except Exception:
            print("[bounceback local] setting up the queue triggers failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)

    def wait_for_workers(self) -> None:
        """Wait until every function has a warm worker (and the API all of its own);
        raise if one failed to load."""
        self._warming()

    def _warm_workers(self) -> None:
        # One worker per function first; then the functions behind HTTP routes get
        # all of theirs, so a burst of clients does not wait for workers to start.
        self.workers.warm()
        reached_over_http = [
            name
            for name, spec in self.workers.specs.items()
            if any(event.get("Type") == "HttpApi" for event in spec.events.values())
        ]
        self.workers.fill(reached_over_http)

    def _host_functions(self, resolver: Resolver) -> dict[str, FunctionSpec]:
        """The template's functions with their environment, in a (not yet warm) host."""
        specs = functions(self.template, resolver)
        # The functions' links point at this server. The template's PublicBaseUrl must be
        # https (what a deploy needs), so the local http URL replaces the variables made
        # from it instead of going through the parameter.
        for spec in specs.values():
            variables = (spec.properties.get("Environment") or {}).get("Variables") or {}
            for name, value in variables.items():
                if value == {"Ref": "PublicBaseUrl"}:
                    spec.environment[name] = self.url
        apply_environment(list(specs.values()))
        limits = {name: concurrency_limit(spec, resolver) for name, spec in specs.items()}
        shared_clock = self.manual.shared if self.manual is not None else None
        self.workers = FunctionHost(specs, limits, shared_clock)
        return specs

    def stop(self) -> None:
        """Stop serving, let running work finish, snapshot, release the data directory."""
        self.server.shutdown()
        self.server.server_close()
        self.triggers.stop()
        self.workers.close()
        self.moto.journaled.snapshot()
        self.store.close()
        self.moto.stop()
        clock.use(None)
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _lock_data_dir(self) -> None:
        handle = (self.data_dir / "lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise DataDirBusy(f"another `bounceback local` is using {self.data_dir}") from exc
        self._lock_file = handle

    # -------------------------------------------------------------- state

    def _stack_file(self) -> Path:
        return self.data_dir / "stack.json"

    def _saved_stack(self) -> dict[str, Any] | None:
        """What the data directory's resources were made from, if it holds a snapshot."""
        stack_file = self._stack_file()
        if not (stack_file.exists() and self.store.has_snapshot):
            return None
        saved: dict[str, Any] = json.loads(stack_file.read_text(encoding="utf-8"))
        return saved

    def _resolver_of(self, saved: Mapping[str, Any]) -> Resolver:
        return Resolver(
            self.template, refs=dict(saved["refs"]), attributes=dict(saved["attributes"])
        )

    def _restore(self, *, keep_journal: bool = True) -> None:
        """The state of the last run: its snapshot, then its journal; then answer requests."""
        started = time.perf_counter()
        replayed = self.moto.restore(self.store)
        seconds = time.perf_counter() - started
        if keep_journal:
            # Go on with the same journal; a snapshot follows once replaying it gets long.
            self.moto.journaled.continue_journal(self.store)
        self.moto.open()
        self.restore_report = (
            f"restored from {self.data_dir} in {seconds:.2f} s "
            f"({replayed} journaled requests replayed)"
        )

    def _restore_or_provision(self, saved: Mapping[str, Any] | None) -> Resolver:
        """A data directory made from other resources is migrated; a new one provisioned."""
        if saved is not None:
            # Nothing of the migration is journaled: a snapshot of its result follows.
            self._restore(keep_journal=False)
            resolver = self._migrate(saved)
            self.moto.journaled.store = self.store
            self.moto.journaled.snapshot()
            return resolver
        for stale in self.store.directory.glob("*"):
            stale.unlink()
        self.moto.open()
        resolver = provision(self.template, region=REGION)
        self._save_stack(resolver)
        self.restore_report = f"new data directory {self.data_dir}"
        self.moto.journaled.store = self.store
        self.moto.journaled.snapshot()
        return resolver

    def _save_stack(self, resolver: Resolver) -> None:
        document = {
            "fingerprint": fingerprint(self.template),
            "refs": resolver.refs,
            "attributes": resolver.attributes,
            "tables": list(resources_of_type(self.template, "AWS::DynamoDB::Table")),
            "secrets": list(resources_of_type(self.template, "AWS::SecretsManager::Secret")),
        }
        temporary = self._stack_file().with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=1), encoding="utf-8")
        temporary.replace(self._stack_file())

    def _migrate(self, saved: Mapping[str, Any]) -> Resolver:
        """template.yaml's resources changed: provision anew, carry the data over.

        Table items and secret values move to the resources of the same logical id;
        messages waiting in queues do not.
        """
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        secrets = boto3.client("secretsmanager", region_name=REGION)
        items: dict[str, list[dict[str, Any]]] = {}
        for logical in saved.get("tables", []):
            pages = dynamodb.get_paginator("scan").paginate(TableName=saved["refs"][logical])
            items[logical] = [item for page in pages for item in page.get("Items", [])]
        values = {
            logical: secrets.get_secret_value(SecretId=saved["refs"][logical])["SecretString"]
            for logical in saved.get("secrets", [])
        }
        from moto.core.base_backend import BackendDict

        with self.moto.journaled.lock:
            BackendDict.reset()
        resolver = provision(self.template, region=REGION)
        tables = resources_of_type(self.template, "AWS::DynamoDB::Table")
        for logical, rows in items.items():
            if logical not in tables:
                continue
            for start in range(0, len(rows), 25):
                requests: list[Any] = [
                    {"PutRequest": {"Item": row}} for row in rows[start : start + 25]
                ]
                dynamodb.batch_write_item(RequestItems={resolver.refs[logical]: requests})
        for logical, value in values.items():
            if logical in resolver.refs and logical in resources_of_type(
                self.template, "AWS::SecretsManager::Secret"
            ):
                secrets.put_secret_value(SecretId=resolver.refs[logical], SecretString=value)
        self._save_stack(resolver)
        print(
            "[bounceback local] template.yaml's resources changed: "
            "re-created them and kept the data."
        )
        return resolver

    # -------------------------------------------------------------- local routes

    def _local_routes(self) -> dict[tuple[str, str], LocalHandler]:
        return {
            ("POST", "/_local/login"): self._login,
            ("POST", "/_local/clock"): self._set_clock,
            ("GET", "/_local/clock"): self._get_clock,
            ("POST", "/_local/tick"): self._tick,
            ("GET", "/_local/outbox"): self._outbox,
        }

    def _login(self, request: Request) -> Reply:
        try:
            body = request.json()
        except ValueError:
            return _bad_request("the body is not valid JSON")
        if not isinstance(body, dict):
            return _bad_request("the body must be a JSON object")
        email = body.get("email")
        if not isinstance(email, str) or len(email) > 254 or not _EMAIL.match(email.strip()):
            return _validation_error("email", "an e-mail address, like you@example.com")
        email = email.strip()
        # Tests of the unverified-address path sign in as an existing user ("as") with
        # an address that user has not verified (someone else's, say).
        verified = body.get("email_verified", True)
        if not isinstance(verified, bool):
            return _validation_error("email_verified", "true or false")
        as_user = body.get("as")
        if as_user is not None and not isinstance(as_user, str):
            return _validation_error("as", "an e-mail address you signed in with before")
        sub = self.users.sub_for(as_user.strip() if as_user else email)
        token = self.issuer.id_token(sub, email, email_verified=verified)
        return Reply.json(200, {"token": token, "user_id": sub})

    def _get_clock(self, request: Request) -> Reply:
        return Reply.json(200, {"now": iso(clock.now()), "mode": self.clock_mode})

    def _set_clock(self, request: Request) -> Reply:
        if self.manual is None:
            return Reply.json(
                409, error_body("conflict", "the clock is real; start with --clock manual")
            )
        try:
            body = request.json()
        except ValueError:
            return _bad_request("the body is not valid JSON")
        text = body.get("now") if isinstance(body, dict) else None
        if not isinstance(text, str):
            return _validation_error("now", "an ISO-8601 date and time, like 2027-02-01T09:00:00Z")
        try:
            moment = parse_instant(text)
        except ValueError:
            return _validation_error("now", "an ISO-8601 date and time, like 2027-02-01T09:00:00Z")
        try:
            self.manual.set(moment)
        except ClockWentBackwards as exc:
            return Reply.json(409, error_body("conflict", str(exc)))
        return Reply.json(200, {"now": iso(moment)})

    def _tick(self, request: Request) -> Reply:
        with self._tick_lock:
            before = len(self.outbox)
            self.triggers.tick()
            return Reply.json(200, {"emails_sent": len(self.outbox) - before})

    def _outbox(self, request: Request) -> Reply:
        accept = request.headers.get("accept", "")
        if "text/html" in accept:
            page = render_page(self.outbox.emails())
            return Reply(200, page.encode(), [("Content-Type", "text/html; charset=utf-8")])
        return Reply.json(200, self.outbox.emails())

"""The HTTP API on one machine: routes from the template, JWT checks, v2.0 events.

Each request is matched against the `HttpApi` events of the template's functions
the way API Gateway matches routes (most specific path first, `{param}` and
`{proxy+}`, `ANY`), checked by the route's JWT authorizer unless the event says
`Auth: {Authorizer: NONE}`, turned into a payload-format-2.0 event and handed to
the real handler. Paths under `/_local/` are the local-only routes (the clock, the outbox).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from bounceback.errors import error_body
from bounceback_local.auth import JwtAuthorizer, as_context_claims
from bounceback_local.events import http_event
from bounceback_local.template import FunctionSpec, Resolver, resources_of_type

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
UNAUTHORIZED = {"message": "Unauthorized"}
_ANY_ADDRESS = ("", "0.0.0.0", "::")  # noqa: S104 - names, not a bind


def is_loopback(host: str) -> bool:
    """True for an address (or `localhost`) that only this machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_checker(bound: str, port: int) -> Callable[[str | None], bool]:
    """Which `Host` headers a server bound to `bound:port` answers.

    DNS rebinding points a name the attacker owns at this machine, so that the
    attacker's page can read the answers; its requests then carry that name in
    `Host`. Only IP literals of the bound address (any, when bound to all addresses),
    `localhost`, and the bound name itself are accepted, with the bound port if any.
    """
    try:
        bound_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(bound)
    except ValueError:
        bound_ip = None

    def allowed(value: str | None) -> bool:
        if value is None:  # HTTP/1.0 without Host: no browser sends that
            return True
        host, given_port = _split_host(value.strip())
        if given_port is not None and given_port != str(port):
            return False
        if host.lower() == "localhost":
            return bound in _ANY_ADDRESS or is_loopback(bound)
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return bound_ip is None and host.lower() == bound.lower()
        if bound in _ANY_ADDRESS:
            return True
        return address == bound_ip or (address.is_loopback and is_loopback(bound))

    return allowed


def _split_host(value: str) -> tuple[str, str | None]:
    if value.startswith("["):  # [::1]:3000
        host, _, rest = value[1:].partition("]")
        return host, rest[1:] if rest.startswith(":") else None
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        return host, port
    return value, None


def _is_json(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    authorizer: JwtAuthorizer | None

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        parts = self.path.strip("/").split("/")
        literal = sum(1 for p in parts if not p.startswith("{"))
        greedy = 1 if self.path.endswith("+}") else 0
        return (literal, -greedy, len(parts), 0 if self.method == "ANY" else 1)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.path == "$default":
            return {}
        if self.method not in ("ANY", method):
            return None
        want = self.path.strip("/").split("/")
        got = path.strip("/").split("/")
        params: dict[str, str] = {}
        for index, part in enumerate(want):
            if part.startswith("{") and part.endswith("+}"):
                rest = got[index:]
                if not rest or rest == [""]:
                    return None
                params[part[1:-2]] = "/".join(unquote(p) for p in rest)
                return params
            if index >= len(got):
                return None
            if part.startswith("{") and part.endswith("}"):
                if not got[index]:
                    return None
                params[part[1:-1]] = unquote(got[index])
            elif part != got[index]:
                return None
        return params if len(got) == len(want) else None


def by_specificity(routes: Iterable[Route]) -> list[Route]:
    """Routes in the order API Gateway tries them: most specific first."""
    return sorted(routes, key=lambda r: r.specificity, reverse=True)


def find_route(
    routes: Iterable[Route], method: str, path: str
) -> tuple[Route, dict[str, str]] | None:
    """The first of `routes` (in `by_specificity` order) that takes the request, and its
    path parameters; None when no route does."""
    for route in routes:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None


def _authorizers(
    template: Mapping[str, Any], resolver: Resolver, jwks: Mapping[str, Any]
) -> dict[str, tuple[str | None, dict[str, JwtAuthorizer]]]:
    """Per HttpApi logical id: (default authorizer name, authorizers by name)."""
    apis: dict[str, tuple[str | None, dict[str, JwtAuthorizer]]] = {}
    for api_id, resource in resources_of_type(template, "AWS::Serverless::HttpApi").items():
        auth = (resource.get("Properties") or {}).get("Auth") or {}
        found: dict[str, JwtAuthorizer] = {}
        for name, config in (auth.get("Authorizers") or {}).items():
            jwt_config = config.get("JwtConfiguration")
            if jwt_config is None:
                raise NotImplementedError(f"authorizer {name}: only JWT authorizers run locally")
            audience = resolver.resolve(jwt_config.get("audience") or [])
            found[name] = JwtAuthorizer(
                issuer=str(resolver.resolve(jwt_config["issuer"])),
                audiences=[
                    str(a) for a in (audience if isinstance(audience, list) else [audience])
                ],
                jwks=jwks,
                identity_source=str(config.get("IdentitySource", "$request.header.Authorization")),
            )
        apis[api_id] = (auth.get("DefaultAuthorizer"), found)
    return apis


def jwt_authorizers(template: Mapping[str, Any], resolver: Resolver) -> list[JwtAuthorizer]:
    """Every JWT authorizer of the template (with an empty key set)."""
    return [a for _, found in _authorizers(template, resolver, {}).values() for a in found.values()]


def routes_of(
    template: Mapping[str, Any],
    resolver: Resolver,
    specs: Mapping[str, FunctionSpec],
    jwks: Mapping[str, Any],
) -> list[Route]:
    apis = _authorizers(template, resolver, jwks)
    routes: list[Route] = []
    for spec in specs.values():
        for event in spec.events.values():
            if event.get("Type") != "HttpApi":
                continue
            props = event.get("Properties") or {}
            api_ref = props.get("ApiId")
            api_id = api_ref.get("Ref") if isinstance(api_ref, dict) else api_ref
            if api_id is None and len(apis) == 1:
                api_id = next(iter(apis))
            default_name, found = apis.get(str(api_id), (None, {}))
            chosen = ((props.get("Auth") or {}).get("Authorizer")) or default_name
            authorizer = None if chosen in (None, "NONE") else found[str(chosen)]
            method = str(props.get("Method", "ANY")).upper()
            path = str(props.get("Path", "$default"))
            routes.append(
                Route(method if method != "*" else "ANY", path, spec.logical_id, authorizer)
            )
    return by_specificity(routes)


@dataclass
class Reply:
    status: int
    body: bytes
    headers: list[tuple[str, str]]

    @classmethod
    def json(
        cls, status: int, document: Any, headers: list[tuple[str, str]] | None = None
    ) -> Reply:
        return cls(
            status,
            json.dumps(document).encode(),
            [("Content-Type", "application/json"), *(headers or [])],
        )

    @classmethod
    def of_lambda(cls, result: Any) -> Reply:
        """API Gateway's reading of a payload-2.0 function response."""
        if not (isinstance(result, dict) and "statusCode" in result):
            return cls.json(200, result)
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((str(name), str(v)) for v in values)
        headers.extend(("Set-Cookie", str(c)) for c in result.get("cookies") or [])
        return cls(int(result["statusCode"]), raw, headers)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    cookies: list[str]
    body: bytes
    source_ip: str

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


LocalHandler = Callable[[Request], Reply]


class Gateway:
    """Routes a request to a local-only handler or a function of the template."""

    def __init__(
        self,
        routes: list[Route],
        invoke: Callable[[str, dict[str, Any]], Any],
        local: Mapping[tuple[str, str], LocalHandler],
        domain: str,
        host_allowed: Callable[[str | None], bool] | None = None,
    ) -> None:
        self.routes = routes
        self.invoke = invoke
        self.local = local
        self.domain = domain
        self.host_allowed = host_allowed

    def handle(self, request: Request) -> Reply:
        host = request.headers.get("host")
        if self.host_allowed is not None and not self.host_allowed(host):
            return Reply.json(
                421, {"message": f"Misdirected Request: this server does not answer Host {host!r}"}
            )
        if request.path.startswith("/_local/"):
            handler = self.local.get((request.method, request.path.rstrip("/")))
            if handler is None:
                return Reply.json(404, {"message": "Not Found"})
            # A page on another site can POST a form or text/plain without asking; it
            # cannot send application/json without the browser asking this server first.
            if request.method == "POST" and not _is_json(request.headers.get("content-type")):
                details = [{"field": "Content-Type", "message": "application/json"}]
                message = "Content-Type must be application/json on local routes"
                return Reply.json(415, error_body("unsupported_media_type", message, details))
            return handler(request)
        found = find_route(self.routes, request.method, request.path)
        if found is None:
            return Reply.json(404, {"message": "Not Found"})
        return self._call(*found, request)

    def _call(self, route: Route, params: dict[str, str], request: Request) -> Reply:
        claims = None
        if route.authorizer is not None:
            token = route.authorizer.token_from(request.headers)
            verified = route.authorizer.claims(token) if token else None
            if verified is None:
                challenge = 'Bearer error="invalid_token"' if token else "Bearer"
                return Reply.json(401, UNAUTHORIZED, [("WWW-Authenticate", challenge)])
            claims = as_context_claims(verified)
        query: dict[str, str] = {}
        for name, value in parse_qsl(request.query, keep_blank_values=True):
            query[name] = f"{query[name]},{value}" if name in query else value
        event = http_event(
            request.method,
            route.route_key,
            request.path,
            claims=claims,
            body=request.body if request.body else None,
            headers=request.headers,
            query=query or None,
            path_parameters=params or None,
            domain=self.domain,
        )
        event["rawQueryString"] = request.query
        event["requestContext"]["http"]["sourceIp"] = request.source_ip
        if request.cookies:
            event["cookies"] = request.cookies
        try:
            result = self.invoke(route.function, event)
        except Exception:
            print(f"[bounceback local] {route.function} raised:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return Reply.json(500, {"message": "Internal Server Error"})
        return Reply.of_lambda(result)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: GatewayServer

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(Reply.json(413, {"message": "Request Entity Too Large"}), close=True)
            return
        body = self.rfile.read(length) if length else b""
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for name, value in self.headers.items():
            key = name.lower()
            if key == "cookie":
                cookies.extend(c.strip() for c in value.split(";") if c.strip())
                continue
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        request = Request(
            method=self.command.upper(),
            path=split.path or "/",
            query=split.query,
            headers=headers,
            cookies=cookies,
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            reply = self.server.gateway.handle(request)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            reply = Reply.json(500, {"message": "Internal Server Error"})
        self._send(reply)

    def _send(self, reply: Reply, close: bool = False) -> None:
        self.send_response(
            reply.status,
            HTTPStatus(reply.status).phrase
            if reply.status in HTTPStatus._value2member_map_
            else "",
        )
        names = {name.lower() for name, _ in reply.headers}
        for name, value in reply.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        if "content-type" not in names:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Any other method (TRACE, QUERY, ...) is routed too, so it answers like API
        # Gateway (no route: 404), not with http.server's 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's listen backlog of 5 resets connections when many clients connect
    # while the handlers keep the accepting thread waiting for the GIL (bench/load.py).
    request_queue_size = 128

    def __init__(self, host: str, port: int, quiet: bool = False) -> None:
        super().__init__((host, port), _Handler)
        self.quiet = quiet
        self.gateway: Gateway

    @property
    def port(self) -> int:
        return int(self.server_address[1])

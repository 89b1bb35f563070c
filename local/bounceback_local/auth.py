"""Sign-in for the local stack, and a JWT authorizer that checks tokens as API Gateway does.

The local issuer stands in for the Cognito user pool: its tokens carry the pool's
issuer URL (from the template's authorizer) and the app client id as audience, and
are RS256-signed with a key kept in the data directory. The authorizer verifies
them against that key set (JWKS), exactly what API Gateway checks: signature,
algorithm, issuer, audience (or `client_id`), expiry and not-before. Token times are
wall-clock times, like API Gateway's, not the service clock (which a manual clock
may have moved days ahead).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

TOKEN_LIFETIME_S = 12 * 3600


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


class Issuer:
    """Signs ID tokens with a key kept in the data directory (created on first use)."""

    def __init__(self, directory: Path, issuer: str, audience: str) -> None:
        key_path = directory / "issuer-key.pem"
        if key_path.exists():
            # The stack wrote this key itself: checking its math again costs every start.
            loaded = serialization.load_pem_private_key(
                key_path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
            )
            assert isinstance(loaded, rsa.RSAPrivateKey)
            self._key = loaded
        else:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = self._key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write_private(key_path, pem)
        public = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = hashlib.sha256(public).hexdigest()[:16]
        self.issuer = issuer
        self.audience = audience

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def id_token(
        self,
        sub: str,
        email: str,
        lifetime_s: int = TOKEN_LIFETIME_S,
        *,
        email_verified: bool = True,
    ) -> str:
        """An ID token as Cognito issues it; `email_verified` False is what a pool without
        verification-before-update gives right after an address change."""
        issued = int(time.time())
        claims = {
            "sub": sub,
            "email": email,
            "email_verified": email_verified,
            "cognito:username": sub,
            "aud": self.audience,
            "iss": self.issuer,
            "token_use": "id",
            "auth_time": issued,
            "iat": issued,
            "exp": issued + lifetime_s,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})


class Users:
    """E-mail address -> user id (`sub`), the same for an address across restarts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._by_email: dict[str, str] = {}
        if path.exists():
            self._by_email = json.loads(path.read_text(encoding="utf-8"))

    def sub_for(self, email: str) -> str:
        key = email.strip().lower()
        with self._lock:
            sub = self._by_email.get(key)
            if sub is None:
                sub = str(uuid.uuid4())
                self._by_email[key] = sub
                _write_private(self.path, json.dumps(self._by_email, indent=1).encode())
            return sub


@dataclass(frozen=True)
class JwtAuthorizer:
    """One `JwtConfiguration` of the template's HTTP API, checked against a JWKS."""

    issuer: str
    audiences: Sequence[str]
    jwks: Mapping[str, Any]
    identity_source: str = "$request.header.Authorization"

    def token_from(self, headers: Mapping[str, str]) -> str | None:
        prefix = "$request.header."
        if not self.identity_source.startswith(prefix):
            return None
        value = headers.get(self.identity_source[len(prefix) :].lower())
        if not value:
            return None
        scheme, _, rest = value.strip().partition(" ")
        # API Gateway accepts the token with or without the "Bearer " prefix.
        return rest.strip() if scheme.lower() == "bearer" and rest else value.strip()

    def claims(self, token: str) -> dict[str, Any] | None:
        """The verified claims of `token`, or None when API Gateway would answer 401."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256":
                return None
            key = next(
                (k for k in self.jwks.get("keys", []) if k.get("kid") == header.get("kid")), None
            )
            if key is None:
                return None
            public = RSAAlgorithm.from_jwk(json.dumps(key))
            claims: dict[str, Any] = jwt.decode(
                token,
                key=public,  # type: ignore[arg-type]
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss", "sub"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            return None
        audience = claims.get("aud") if claims.get("token_use") != "access" else None
        audience = audience if audience is not None else claims.get("client_id")
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(a in self.audiences for a in audiences):
            return None
        return claims


def as_context_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims the way API Gateway hands them to the function: every value a string."""
    out: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, list):
            out[name] = "[" + " ".join(str(v) for v in value) + "]"
        else:
            out[name] = str(value)
    return out

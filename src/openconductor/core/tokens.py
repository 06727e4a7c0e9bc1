"""Integration tokens: what authenticates a tool sending alerts. Only a hash of the token is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

TOKEN_PREFIX = "oct_"


@dataclass(frozen=True, slots=True)
class IntegrationToken:
    id: str
    integration: str  # an integration slug, or "mapping:<name>" for a mapping webhook
    name: str
    token_hash: str
    token_hint: str  # the first characters, so people can tell their tokens apart
    signing_secret: str | None
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoked(self, at: datetime) -> IntegrationToken:
        return replace(self, revoked_at=at)


def endpoint_of(integration: str) -> str:
    """The ingest endpoint of an integration slug, or of `mapping:<name>` (/api/v1/integrations/mapping/<name>)."""
    return "/api/v1/integrations/" + integration.replace(":", "/")


def new_token_value() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(value: str) -> str:
    # Tokens are long random strings, so a fast unsalted hash is enough: there is nothing to guess.
    return hashlib.sha256(value.encode()).hexdigest()


def hint_of(value: str) -> str:
    return value[: len(TOKEN_PREFIX) + 6]

"""Which tokens may send to which integration, and the check every ingest request goes through.

Tokens are few and checked on every request, so the active ones are held in memory, keyed by their hash,
and reloaded from the store whenever one is created or revoked through this registry.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from openconductor.core.errors import Unauthenticated
from openconductor.core.ids import new_id
from openconductor.core.timeutil import utcnow
from openconductor.core.tokens import IntegrationToken, endpoint_of, hash_token, hint_of, new_token_value
from openconductor.store.ports import Store

# auto: an integration is open until its first token is created, then only its active tokens may send
# (for good: revoking them all does not open it again);
# required: every ingest request needs a token; off: tokens are not checked (a trusted network).
AUTH_MODES = ("auto", "required", "off")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: IntegrationToken
    value: str  # shown once, when the token is created; only its hash is kept


class TokenRegistry:
    def __init__(self, store: Store, *, mode: str) -> None:
        if mode not in AUTH_MODES:
            raise ValueError(f"ingest_auth: expected one of {', '.join(AUTH_MODES)}, got {mode!r}")
        self.store = store
        self.mode = mode
        self._lock = threading.Lock()
        self._by_hash: dict[str, IntegrationToken] = {}
        self._locked: set[str] = set()
        self._loaded = False

    def create(self, integration: str, *, name: str, signing_secret: str | None = None) -> IssuedToken:
        value = new_token_value()
        token = IntegrationToken(
            id=new_id("tok"),
            integration=integration,
            name=name,
            token_hash=hash_token(value),
            token_hint=hint_of(value),
            signing_secret=signing_secret or None,
            created_at=utcnow(),
        )
        self.store.save_token(token)
        self.reload()
        return IssuedToken(token, value)

    def list(self, *, integration: str | None = None, include_revoked: bool = False) -> list[IntegrationToken]:
        return [
            token
            for token in self.store.list_tokens()
            if (integration is None or token.integration == integration) and (include_revoked or token.active)
        ]

    def revoke(self, token_id: str, *, integration: str, at: datetime | None = None) -> IntegrationToken | None:
        """Revoke one of `integration`'s tokens; None when it has no token of that id."""
        token = self.store.revoke_token(token_id, integration=integration, at=at or utcnow())
        self.reload()
        return token

    def reload(self) -> None:
        tokens = self.store.list_tokens()
        with self._lock:
            self._by_hash = {token.token_hash: token for token in tokens if token.active}
            # Revoking the last token must not open the integration to everyone again.
            self._locked = {token.integration for token in tokens}
            self._loaded = True

    def locked(self, integration: str) -> bool:
        """Whether only `integration`'s tokens may send to it now."""
        if not self._loaded:
            self.reload()
        with self._lock:
            return self.mode == "required" or (self.mode == "auto" and integration in self._locked)

    def authenticate(self, integration: str, presented: str | None) -> IntegrationToken | None:
        """The token that admits this request, or None when the integration is open; raises
        Unauthenticated otherwise. The message never repeats what was presented."""
        if self.mode == "off":
            return None
        if not self._loaded:
            self.reload()
        with self._lock:
            token = self._by_hash.get(hash_token(presented)) if presented else None
            locked = self.mode == "required" or integration in self._locked
        if token is not None and token.integration == integration:
            return token
        if not locked:
            return None  # an open integration admits everyone, whatever they present
        where = (
            f"a token for integration {integration!r}, in the URL path "
            f"({endpoint_of(integration)}/<token>) "
            "or in an `Authorization: Bearer <token>` header"
        )
        if not presented:
            raise Unauthenticated(f"token: expected {where}; none was sent")
        raise Unauthenticated(f"token: expected {where}; the token sent is unknown, revoked or for another integration")

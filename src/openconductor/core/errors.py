"""Errors a client can cause. Each names the offending field and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class FieldProblem:
    field: str
    expected: str
    got: str | None = None

    def message(self) -> str:
        suffix = f", got {self.got}" if self.got is not None else ""
        return f"{self.field}: expected {self.expected}{suffix}"


class InvalidPayload(ValueError):
    """A payload that cannot become alerts. Carries every problem found, not just the first."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message() for p in problems))


class NotFound(LookupError):
    def __init__(self, kind: str, identifier: str) -> None:
        self.kind = kind
        self.identifier = identifier
        super().__init__(f"{kind} {identifier!r} not found")


class StoreUnavailable(RuntimeError):
    """The database could not be reached or refused the write; nothing was accepted."""


class InvalidTransition(ValueError):
    """An incident action that its current status does not allow (for example reopening an open one)."""


class Unauthenticated(PermissionError):
    """A request without a valid integration token or signature. The message says what was expected,
    never the value that was sent."""

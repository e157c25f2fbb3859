"""Domain errors; the API maps each class to one HTTP status code."""
from __future__ import annotations


class DomainError(Exception):
    """Base class: ``code`` is a stable snake_case word clients can branch on."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class OrderLocked(Conflict):
    code = "order_locked"


class InvalidInput(DomainError):
    """Input that is well-formed but not acceptable; ``field`` names the culprit."""

    code = "invalid_input"


class Forbidden(DomainError):
    code = "forbidden"

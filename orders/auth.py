"""API keys: created once (shown once), stored as SHA-256, checked per request.

Keys are 256-bit random tokens, so a plain SHA-256 (no salt, no slow hash) is
enough: it cannot be brute-forced, and lookups stay a single index probe.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from orders import clock
from orders.db import Database
from orders.errors import InvalidInput, NotFound
from orders.models import ApiKey, Engineer
from orders.states import Role

KEY_PREFIX = "fsk_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id and name, its role, and the engineer it speaks for."""

    key_id: int
    name: str
    role: Role
    engineer_id: str | None = None


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    name: str
    role: str
    prefix: str
    engineer_id: str | None
    created_at: datetime
    revoked_at: datetime | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(db: Database, role: str, name: str,
                   engineer_id: str | None = None) -> tuple[ApiKeyView, str]:
    """Create a key; returns its view and the plaintext key (never stored, shown once)."""
    try:
        role_ = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}",
                           field="role") from None
    if not name.strip():
        raise InvalidInput("a key needs a name", field="name")
    if role_ is Role.ENGINEER and not engineer_id:
        raise InvalidInput("an engineer key needs the engineer's id", field="engineer")
    if role_ is not Role.ENGINEER and engineer_id:
        raise InvalidInput("only engineer keys carry an engineer id", field="engineer")
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as session:
        if engineer_id and session.get(Engineer, engineer_id) is None:
            raise NotFound(f"no engineer {engineer_id!r}", field="engineer")
        key = ApiKey(name=name.strip(), role=role_.value, key_hash=hash_key(plaintext),
                     prefix=plaintext[:12], engineer_id=engineer_id, created_at=clock.now())
        session.add(key)
        session.flush()
        return _view(key), plaintext


def authenticate(db: Database, presented: str) -> Principal | None:
    """The principal of a presented key, or ``None`` (unknown or revoked)."""
    if not presented.startswith(KEY_PREFIX) or len(presented) > 200:
        return None
    with db.read() as session:
        key = session.scalars(
            select(ApiKey).where(ApiKey.key_hash == hash_key(presented))
        ).first()
        if key is None or key.revoked_at is not None:
            return None
        return Principal(key.id, key.name, Role(key.role), key.engineer_id)


def list_api_keys(db: Database) -> list[ApiKeyView]:
    with db.read() as session:
        return [_view(k) for k in session.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_api_key(db: Database, key_id: int) -> ApiKeyView:
    with db.transaction() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise NotFound(f"no API key {key_id}")
        if key.revoked_at is None:
            key.revoked_at = clock.now()
        return _view(key)


def _view(k: ApiKey) -> ApiKeyView:
    return ApiKeyView(k.id, k.name, k.role, k.prefix, k.engineer_id, k.created_at, k.revoked_at)

"""Request dependencies: the database and the authenticated, authorised caller."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from orders.auth import Principal, authenticate
from orders.db import Database
from orders.states import Role

bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey",
                    description="An API key from `fieldsched apikey create`: "
                                "`Authorization: Bearer fsk_…`")


def get_db(request: Request) -> Database:
    return request.app.state.db


DbDep = Annotated[Database, Depends(get_db)]


def current_principal(
    db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise ApiError(401, "unauthenticated",
                       "send an API key as `Authorization: Bearer KEY`",
                       headers={"WWW-Authenticate": "Bearer"})
    principal = authenticate(db, credentials.credentials)
    if principal is None:
        raise ApiError(401, "unauthenticated", "unknown or revoked API key",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return principal


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency admitting the given roles (and admin, who may call everything)."""
    allowed = frozenset(roles) | {Role.ADMIN}

    def dependency(
        request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        if principal.role not in allowed:
            raise ApiError(
                403, "forbidden",
                f"role {principal.role.value} may not call {request.method} {request.url.path} "
                f"(allowed: {', '.join(sorted(r.value for r in allowed))})",
            )
        return principal

    return dependency

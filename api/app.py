"""The FastAPI application: routers per resource, one error shape, API-key auth.

``create_app()`` is the factory ``fieldsched serve`` hands to uvicorn. On start-up
it checks that the schema is migrated and picks up orders left ``acknowledged``
(e.g. when the server stopped between the answer and the processing).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.routers import apikeys, engineers, inventory, jobs, product_orders, qualification, roster
from api.routers.appointment import router as appointment_router
from api.routers.field import router as field_router
from api.routers.hub import router as hub_router
from api.routers.schedules import router as schedules_router
from api.routers.solve import router as solve_router
from orders import migrate
from orders.db import Database
from orders.fulfilment import process_pending
from orders.settings import Settings

log = logging.getLogger("fieldsched.api")


def create_app(settings: Settings | None = None, db: Database | None = None,
               recover_pending: bool = True) -> FastAPI:
    settings = settings or Settings()
    database = db or Database.from_settings(settings)
    owns_db = db is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not migrate.schema_is_current(database.engine):
            raise RuntimeError(
                f"the database schema at {database.engine.url.render_as_string()} is not "
                "current: run `fieldsched db upgrade`")
        if recover_pending:
            threading.Thread(target=process_pending, args=(database,), daemon=True,
                             name="fieldsched-pending-orders").start()
        yield
        if owns_db:
            database.dispose()

    app = FastAPI(
        title="fieldsched",
        version="0.1.0",
        summary="Field scheduling for FTTP operators: orders, inventory, jobs.",
        description=(
            "Every endpoint needs `Authorization: Bearer KEY` (keys from "
            "`fieldsched apikey create --role ROLE --name NAME`). Roles: billing, booking, "
            "dispatcher, engineer, analyst, admin. Errors share one JSON shape with a stable "
            "`code`; 422 answers name the field at fault."
        ),
        lifespan=lifespan,
    )
    app.state.db = database
    app.state.settings = settings
    install_error_handlers(app)
    for module in (product_orders, qualification, inventory, engineers, roster, jobs, apikeys):
        app.include_router(module.router)
    app.include_router(schedules_router)
    app.include_router(solve_router)
    app.include_router(appointment_router)
    app.include_router(field_router)
    app.include_router(hub_router)
    return app

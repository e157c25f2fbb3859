"""Alembic migrations of the fieldsched schema (the only way tables are created)."""

"""HTTP API (FastAPI) and CLI (typer) entry points of fieldsched."""

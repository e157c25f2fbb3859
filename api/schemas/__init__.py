"""Request and response schemas (pydantic), separate from the ORM models."""

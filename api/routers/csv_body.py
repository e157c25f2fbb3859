"""Reading a CSV request body (the API twin of the CLI's CSV imports)."""
from __future__ import annotations

from fastapi import Request

from api.errors import ApiError

MAX_CSV_BYTES = 5 * 1024 * 1024
CSV_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


async def read_csv(request: Request) -> str:
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_CSV_BYTES:
            raise ApiError(413, "body_too_large",
                           f"CSV bodies are limited to {MAX_CSV_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "invalid_request", "the CSV body must be UTF-8", field="body") from None
    if "\x00" in text:
        raise ApiError(422, "invalid_request", "NUL characters are not allowed", field="body")
    return text

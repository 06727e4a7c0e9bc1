"""Reading request bodies with a size limit, before any parsing happens."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from openconductor.api.errors import ApiError, decode_json
from openconductor.core.errors import FieldProblem


async def read_json(request: Request, *, limit: int) -> Any:
    return decode_json(await read_body(request, limit=limit))


async def read_body(request: Request, *, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "body_too_large",
        f"body: expected at most {limit} bytes",
        [FieldProblem("body", f"at most {limit} bytes (OPENCONDUCTOR_MAX_BODY_BYTES)")],
    )

"""Reading request bodies with a size limit, before any parsing happens."""

from __future__ import annotations

import zlib
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
    body = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "deflate"):
        return _decompress(body, encoding=encoding, limit=limit)
    if encoding not in ("", "identity"):
        raise ApiError(
            415,
            "unsupported_encoding",
            f"Content-Encoding: expected gzip, deflate or identity, got {encoding!r}",
            [FieldProblem("Content-Encoding", "gzip, deflate or identity", repr(encoding))],
        )
    return body


def _decompress(body: bytes, *, encoding: str, limit: int) -> bytes:
    """Compressed bodies (the OpenTelemetry Collector gzips by default), held to the same limit once
    decompressed, so a small compressed bomb cannot fill memory."""
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    decompressor = zlib.decompressobj(wbits)
    try:
        plain = decompressor.decompress(body, limit + 1)
    except zlib.error as error:
        raise ApiError(
            400,
            "malformed_body",
            f"body: expected {encoding}-compressed data as Content-Encoding says ({error})",
            [FieldProblem("body", f"{encoding}-compressed data")],
        ) from error
    if len(plain) > limit or decompressor.unconsumed_tail:
        raise _too_large(limit)
    return plain


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "body_too_large",
        f"body: expected at most {limit} bytes",
        [FieldProblem("body", f"at most {limit} bytes (OPENCONDUCTOR_MAX_BODY_BYTES)")],
    )

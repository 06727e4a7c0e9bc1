"""Every error the API returns is JSON that names the field and what was expected; nothing becomes a 5xx."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from openconductor.core.errors import (
    FieldProblem,
    InvalidPayload,
    InvalidTransition,
    NotFound,
    StoreUnavailable,
    Unauthenticated,
)

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, problems: list[FieldProblem] | None = None) -> None:
        self.status = status
        self.error = error
        self.message = message
        self.problems = problems or []


def unknown_name(error: str, *, field: str, known: str, got: str) -> ApiError:
    """404 for a name that is not one of `known` (an integration, a mapping), naming the known ones."""
    return ApiError(
        404,
        error,
        f"{field}: expected one of {known}, got {got!r}",
        [FieldProblem(field, f"one of {known}", repr(got))],
    )


def error_body(error: str, message: str, problems: list[FieldProblem] | None = None) -> dict[str, Any]:
    return {
        "error": error,
        "message": message,
        "problems": [{"field": p.field, "expected": p.expected, "got": p.got} for p in problems or []],
    }


def decode_json(body: bytes) -> Any:
    if not body.strip():
        raise ApiError(400, "empty_body", "body: expected a JSON document, got an empty body")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise ApiError(
            400, "malformed_json", f"body: expected valid JSON ({error})", [FieldProblem("body", "valid JSON")]
        ) from error


def _count_rejection(request: Request, reason: str) -> None:
    platform = getattr(request.app.state, "platform", None)
    if platform is not None:
        platform.metrics.rejected.labels(reason).inc()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        _count_rejection(request, exc.error)
        return JSONResponse(error_body(exc.error, exc.message, exc.problems), status_code=exc.status)

    @app.exception_handler(InvalidPayload)
    async def _invalid(request: Request, exc: InvalidPayload) -> JSONResponse:
        _count_rejection(request, "invalid_payload")
        return JSONResponse(error_body("invalid_payload", str(exc), exc.problems), status_code=422)

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(request: Request, exc: Unauthenticated) -> JSONResponse:
        _count_rejection(request, "unauthenticated")
        field, _, expected = str(exc).partition(": expected ")
        problems = [FieldProblem(field, expected)] if expected else []
        return JSONResponse(
            error_body("unauthenticated", str(exc), problems),
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="openconductor"'},
        )

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(_request: Request, exc: StoreUnavailable) -> JSONResponse:
        # Not the client's fault and nothing was accepted: tell it to retry.
        return JSONResponse(
            error_body("store_unavailable", f"{exc}; nothing was accepted, retry later"),
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse(
            error_body("internal_error", f"unexpected {type(exc).__name__}; nothing was accepted"), status_code=500
        )

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(error_body("not_found", str(exc)), status_code=404)

    @app.exception_handler(InvalidTransition)
    async def _conflict(_request: Request, exc: InvalidTransition) -> JSONResponse:
        return JSONResponse(error_body("invalid_transition", str(exc)), status_code=409)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            FieldProblem(
                ".".join(str(part) for part in err["loc"] if part not in ("query", "path", "body")),
                err["msg"].removeprefix("Input should be ").removeprefix("Value error, "),
            )
            for err in exc.errors()
        ]
        message = "; ".join(p.message() for p in problems)
        return JSONResponse(error_body("invalid_request", message, problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body("http_error", str(exc.detail)), status_code=exc.status_code)

"""API errors with one stable JSON shape: ``{"error": {"status", "code", "message"}}``."""

from __future__ import annotations

from typing import Any

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    422: "invalid",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the server answers with; pages render it, the API sends it as JSON."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.details = details

    @property
    def code(self) -> str:
        """The stable machine-readable code of the status."""
        return CODES.get(self.status, "error")

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        error: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def unauthorized(message: str = "log in or send Authorization: Bearer TOKEN") -> ApiError:
    """401 with the challenge an API client expects."""
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="labwarden"'})


def forbidden(role: str) -> ApiError:
    """403 for a role that may not do this."""
    return ApiError(403, f"this needs the {role} role")


def not_found(message: str) -> ApiError:
    """404."""
    return ApiError(404, message)

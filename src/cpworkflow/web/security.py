"""What every response carries and who may see it: the security headers, the token gate
(a bearer token, or a session cookie set by the login page), and an access log that names
the method, path and status only — never a query string, which may carry a worker's id
or a date someone looked at, and never event data."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from cpworkflow.logs import get_logger

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
COOKIE = "cpw_session"
OPEN_PATHS = frozenset({"/login", "/style.css"})  # reachable without the token
CACHEABLE = frozenset({"/style.css"})  # everything else may show a child's record
INTERNAL = (
    '<!doctype html><html lang="en"><head><title>Internal error</title></head><body><main>'
    "<h1>Internal error</h1><p>This is a bug in cpw serve; it has been logged.</p>"
    "</main></body></html>"
)
log = get_logger("cpworkflow.web")

Next = Callable[[Request], Awaitable[Response]]


class Gate:
    """The token, if one is set: a request passes with `Authorization: Bearer <token>` or
    the session cookie, which holds a digest of the token rather than the token itself."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.session = (
            hashlib.sha256(b"cpw serve session\0" + token.encode()).hexdigest() if token else ""
        )

    def right(self, offered: str) -> bool:
        return self.token is not None and hmac.compare_digest(offered.encode(), self.token.encode())

    def allows(self, request: Request) -> bool:
        if self.token is None or request.url.path in OPEN_PATHS:
            return True
        scheme, _, offered = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.right(offered.strip()):
            return True
        cookie = request.cookies.get(COOKIE, "")
        return bool(cookie) and hmac.compare_digest(cookie.encode(), self.session.encode())


class Guarded(BaseHTTPMiddleware):
    """Headers on every response, the gate before every page, one access log line each."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        super().__init__(app)
        self.gate = gate

    async def dispatch(self, request: Request, call_next: Next) -> Response:
        started = time.perf_counter()
        if self.gate.allows(request):
            try:
                response = await call_next(request)
            except Exception as err:  # noqa: BLE001 - a bug: one log line, no traceback shown
                log.error("internal error", kind=type(err).__name__, path=request.url.path)
                response = HTMLResponse(INTERNAL, status_code=500)
        else:
            response = refused(request)
        response.headers.update(HEADERS)
        if request.url.path not in CACHEABLE:
            response.headers["Cache-Control"] = "no-store"
        log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response


def refused(request: Request) -> Response:
    """A browser is sent to the login page; anything else is told to bring the token."""
    if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)
    return PlainTextResponse(
        "this server needs its token: send 'Authorization: Bearer <token>'\n",
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="cpw serve"'},
    )


def safe_next(value: str | None) -> str:
    """Only a path on this server: never another site (`//host`, `https://…`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value

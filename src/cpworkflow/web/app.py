"""The ASGI app: routes, templates, the login page, and errors as pages (a 400 names the
bad parameter, a 404 the missing case; never a traceback)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from cpworkflow.errors import BadInputError, CpwError, NotFoundError
from cpworkflow.logs import get_logger
from cpworkflow.reads import Reads
from cpworkflow.web.pages import Pages
from cpworkflow.web.security import COOKIE, Gate, Guarded, safe_next
from cpworkflow.web.views import web_field

log = get_logger("cpworkflow.web")
STYLE = resources.files("cpworkflow.web").joinpath("static/style.css").read_bytes()


def templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("cpworkflow.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def create_app(
    reads: Reads,
    *,
    token: str | None = None,
    store_label: str = "",
    checkpoint: dict[str, Any] | None = None,
) -> Starlette:
    """The read-only web view over `reads`; with `token`, every page but the login page
    needs it (as a bearer token or through the login page's cookie). `checkpoint` is what
    checking the log against a signed checkpoint found (`cpw verify --checkpoint`)."""
    gate = Gate(token)
    pages = Pages(reads, templates(), checkpoint)
    pages.templates.env.globals.update(store_label=store_label, login=token is not None)

    def style(_request: Request) -> Response:
        return Response(STYLE, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    async def login(request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        if token is None:  # nothing to sign in to
            return RedirectResponse(target, status_code=303)
        if request.method == "GET":
            return pages.render(request, "login.html", target=target, wrong=False)
        form = await request.form()
        offered = str(form.get("token", ""))
        target = safe_next(str(form.get("next", "/")))
        if not gate.right(offered):
            return pages.render(request, "login.html", 401, target=target, wrong=True)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, gate.session, httponly=True, samesite="strict")
        return response

    def logout(_request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    def error_page(request: Request, status: int, title: str, message: str) -> Response:
        return pages.render(request, "error.html", status, title=title, message=message)

    def bad_input(request: Request, err: Exception) -> Response:
        message = str(web_field(err) if isinstance(err, BadInputError) else err)
        return error_page(request, 400, "That request cannot be answered", message)

    def not_found(request: Request, err: Exception) -> Response:
        return error_page(request, 404, "Not found", str(err))

    def http_error(request: Request, err: Exception) -> Response:
        status = err.status_code if isinstance(err, HTTPException) else 500
        message = "There is no such page." if status == 404 else str(getattr(err, "detail", ""))
        return error_page(request, status, "Not found" if status == 404 else "Error", message)

    def store_error(request: Request, err: Exception) -> Response:
        log.warning("store error", kind=type(err).__name__)
        return error_page(request, 503, "The store cannot be read", str(err))

    routes = [
        Route("/", pages.caseload, name="caseload"),
        Route("/tray", pages.tray, name="tray"),
        Route("/cases/{case_id:str}", pages.case, name="case"),
        Route("/cases/{case_id:str}/audit", pages.audit, name="audit"),
        Route("/rules", pages.rules, name="rules"),
        Route("/login", login, methods=["GET", "POST"], name="login"),
        Route("/logout", logout, methods=["POST"], name="logout"),
        Route("/style.css", style, name="style"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(Guarded, gate=gate)],
        exception_handlers={
            BadInputError: bad_input,
            NotFoundError: not_found,
            CpwError: store_error,
            HTTPException: http_error,
        },
    )

"""``/login`` and ``/logout``. The login form is protected from cross-site posts by a
double-submit token: a cookie and a form field that must match."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from labwarden.web import security
from labwarden.web.auth import SESSION_COOKIE, PageViewer, identify
from labwarden.web.errors import ApiError
from labwarden.web.login import login, logout
from labwarden.web.pages.render import form_csrf, render, safe_next
from labwarden.web.state import client_address, server

router = APIRouter()

LOGIN_COOKIE = "lw_login"


def _login_page(
    request: Request, next_path: str, *, error: str | None = None, status: int = 200
) -> Response:
    token = security.new_secret()
    response = render(
        request,
        "login.html",
        None,
        status=status,
        login_csrf=token,
        next_path=safe_next(next_path),
        error=error,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=server(request).config.secure_cookies,
        path="/login",
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login page (or straight on when already logged in)."""
    try:
        who = identify(request)
    except ApiError:
        who = None
    if who is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next)


@router.post("/login")
def login_submit(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=security.MAX_PASSWORD)],
    login_csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password and open a session."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not login_csrf or not security.same(cookie, login_csrf):
        return _login_page(
            request, next, error="The form expired; please log in again.", status=403
        )
    state = server(request)
    try:
        session = login(state, name.strip(), password, client_address(request))
    except ApiError as exc:
        response = _login_page(request, next, error=exc.message, status=exc.status)
        response.headers.update(exc.headers)
        return response
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.secret,
        max_age=session.max_age,
        httponly=True,
        samesite="strict",
        secure=state.config.secure_cookies,
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout_submit(
    request: Request, who: PageViewer, csrf: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """End the session."""
    form_csrf(request, who, csrf)
    secret = request.cookies.get(SESSION_COOKIE, "")
    logout(server(request), secret, who.name, client_address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

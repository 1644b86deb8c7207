"""`hotline serve`: the app in a browser (textual-serve), guarded.

textual-serve alone accepts any request and any WebSocket, from any web page the browser has
open (a cross-site WebSocket is not blocked by browsers). :class:`GuardedServer` adds one
gate in front of every route:

* **access token** — a random token made at each start is printed in the URL
  (``http://127.0.0.1:8000/?token=…``). The first page load with it sets an HttpOnly,
  SameSite=Strict cookie, so the page's own static files and WebSocket carry it; any request
  with neither a valid ``token`` query parameter nor the cookie gets 403.
* **Origin** — a request that carries an ``Origin`` header (every browser WebSocket does) is
  refused unless it is the served origin, i.e. ``http://`` + the request's own ``Host``.
* **Host** — when bound to loopback, the ``Host`` header must name loopback too (a page on
  another name resolved to 127.0.0.1, DNS rebinding, is refused).
* **sessions** — each WebSocket starts a full app process; at most ``max_sessions`` at once.

Binding another address than loopback needs ``allow_remote`` (:func:`check_host`); the token
is required there as well.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from textual_serve.server import Server

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_PARAM = "token"
COOKIE = "hotline_serve_token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RemoteHostRefused(ValueError):
    """``--host`` is not loopback and ``--allow-remote`` was not given."""


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback bind address unless ``allow_remote``."""
    if host not in LOOPBACK_HOSTS and not allow_remote:
        raise RemoteHostRefused(
            f"refusing to serve on {host}: anyone who can reach it could open the app and "
            "see call data. Use the default (127.0.0.1), or add --allow-remote (the access "
            "token is still required)."
        )


def _host_name(host_header: str) -> str:
    """``"127.0.0.1:8000"`` -> ``"127.0.0.1"``, ``"[::1]:8000"`` -> ``"::1"``."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class GuardedServer(Server):
    """textual-serve's :class:`Server` with token, Origin, Host and session checks."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        title: str,
        token: str | None = None,
        max_sessions: int = 4,
    ) -> None:
        url_host = f"[{host}]" if ":" in host else host
        super().__init__(command, host=host, port=port, title=title)
        self.public_url = f"http://{url_host}:{port}"
        self.token = token or secrets.token_urlsafe(24)
        self.max_sessions = max_sessions
        self.sessions = 0
        self.loopback = host in LOOPBACK_HOSTS

    @property
    def access_url(self) -> str:
        """The URL to open, with the access token."""
        return f"{self.public_url}/?{TOKEN_PARAM}={self.token}"

    def refusal(self, request: web.Request) -> str | None:
        """Why ``request`` is refused, or None when it may pass."""
        host = request.headers.get("Host", "")
        if self.loopback and _host_name(host) not in LOOPBACK_HOSTS:
            return "host not allowed"
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            return "origin not allowed"
        given = request.query.get(TOKEN_PARAM) or request.cookies.get(COOKIE) or ""
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return "access token missing or wrong"
        return None

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        why = self.refusal(request)
        if why is not None:
            return web.Response(status=403, text=f"403 forbidden: {why}\n")
        response = await handler(request)
        if request.query.get(TOKEN_PARAM) and request.path == "/":
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"Serving on {self.access_url}", highlight=False, soft_wrap=True)
        self.console.print("\n[cyan]Press Ctrl+C to quit")

    async def handle_index(self, request: web.Request) -> Any:
        # static / WebSocket URLs on the name the browser used, so the cookie goes with them
        self.public_url = f"http://{request.host}"
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if self.sessions >= self.max_sessions:
            raise web.HTTPServiceUnavailable(
                text=f"at most {self.max_sessions} app sessions at once; close a tab\n"
            )
        self.sessions += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions -= 1

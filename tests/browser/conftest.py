"""Fixtures of the browser tests: the site built once per session, served on the port of
its ``SITE_URL``, and pytest-playwright driving the system Chromium.

Chromium is ``/usr/bin/chromium`` (or ``$CHROMIUM``), launched through pytest-playwright's
``browser_type_launch_args`` (``playwright install`` is never used). If it is missing the
tests fail, they do not skip: a site nobody looked at in a browser is not tested.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.sitebuild import build_site

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
LAUNCH_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the stdlib declares it as a class attribute
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".txt": "text/plain; charset=utf-8",
        ".csv": "text/csv; charset=utf-8",
        ".json": "application/json",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def _chromium() -> Path:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install it (apt-get install chromium fonts-noto-cjk, or "
        "`make setup`); the browser tests fail rather than skip without it"
    )
    return CHROMIUM


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The site, built once for a free port (its ``SITE_URL`` names that port)."""
    port = _free_port()
    site = build_site(tmp_path_factory.mktemp("site"), f"http://127.0.0.1:{port}/")
    return site, port


@pytest.fixture(scope="session")
def base_url(built_site: tuple[Path, int]) -> Iterator[str]:
    """The built site served at exactly its ``SITE_URL``."""
    site, port = built_site
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _Server(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], _chromium: Path
) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(_chromium), "args": LAUNCH_FLAGS}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

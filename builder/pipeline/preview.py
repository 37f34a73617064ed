"""The offline preview: the built site, and its data folder when there is one, served from
the local files on the loopback address (``python -m builder serve``).

The site is served at ``http://127.0.0.1:PORT/`` (the default ``SITE_URL`` is port 8765) and
the data folder beside it (``builder.pipeline.datahost``) at ``http://127.0.0.1:DATA_PORT/``
(under any folder: the files are found by name). A site built with
``DATA_URL=http://127.0.0.1:8766/`` links its bulk downloads to that second
address, so every link of the preview resolves to a local file with the bytes (and SHA-256)
the page shows; a site built for the real data host links there instead, and the preview
still serves the local copies for checking by hand.
"""

from __future__ import annotations

import functools
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
SITE_PORT = 8765  # the default SITE_URL's
DATA_PORT = 8766  # DATA_URL=http://127.0.0.1:8766/ for an offline preview of a data host


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files, without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FlatHandler(QuietHandler):
    """The data folder is flat: a request names a file by its last path segment, whatever
    folder ``DATA_URL`` puts before it (``/data-2026.12.01/portal.zip`` → ``portal.zip``)."""

    def translate_path(self, path: str) -> str:
        name = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0]).rsplit("/", 1)[-1]
        return str(Path(self.directory) / name) if name not in ("", ".", "..") else ""


def server_for(
    folder: Path, port: int, handler: type[QuietHandler] = QuietHandler
) -> ThreadingHTTPServer:
    """A static file server of ``folder`` on the loopback address (port 0: any free one)."""
    return ThreadingHTTPServer((LOOPBACK, port), functools.partial(handler, directory=str(folder)))


def address_of(server: ThreadingHTTPServer) -> str:
    return f"http://{LOOPBACK}:{server.server_address[1]}/"


@contextmanager
def serving(site: Path, data: Path | None, ports: tuple[int, int]) -> Iterator[list[str]]:
    """Serve ``site`` (and ``data`` if given) in background threads; yields their
    addresses (site first) and stops the servers on exit."""
    servers = [server_for(site, ports[0])]
    if data is not None:
        servers.append(server_for(data, ports[1], FlatHandler))
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        yield [address_of(s) for s in servers]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

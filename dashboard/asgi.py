"""ASGI middleware for the served dashboard (``dashboard/serve.py``).

Streamlit's page does not know where its server is: opened at ``/explorer``, it first asks
``/explorer/_stcore/health``, gets a 404, waits 100 ms and only then asks ``/_stcore/health``. Every
visit to a page other than the Overview paid that round trip and back-off before anything was drawn.
:class:`ServerLocation` writes the server's address into the page (Streamlit's own
``window.__streamlit.BACKEND_BASE_URL`` setting, read before its scripts start), so the page connects
at once, wherever it was opened.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_HEAD = re.compile(rb"<head[^>]*>", re.IGNORECASE)


def location_script(base_path: str) -> bytes:
    """The inline script that tells Streamlit's page its server's address: this page's origin and
    the server's ``base_path`` (``server.baseUrlPath``, "" at the root). Settings the page already
    has are kept."""
    path = "/" + base_path.strip("/") if base_path.strip("/") else ""
    value = json.dumps(path).replace("<", "\\u003c")  # never ends the script element
    return (
        "<script>window.__streamlit=Object.assign("
        f"{{BACKEND_BASE_URL:window.location.origin+{value}}},window.__streamlit||{{}});</script>"
    ).encode()


class ServerLocation:
    """Middleware: adds :func:`location_script` at the top of the ``<head>`` of every HTML page
    the app serves (Streamlit's ``index.html``, whatever the page's URL). A browser's request for
    a page reaches Streamlit without its ``Accept-Encoding`` (so the page comes back as text); the
    page is compressed here again when the browser accepted gzip. Other responses pass through
    unchanged."""

    def __init__(self, app: ASGIApp, base_path: str = "") -> None:
        self.app = app
        self.script = location_script(base_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        request = {k.lower(): v for k, v in scope.get("headers", [])}
        if b"text/html" not in request.get(b"accept", b""):
            await self.app(scope, receive, send)
            return
        gzip_ok = b"gzip" in request.get(b"accept-encoding", b"")
        scope = {
            **scope,
            "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"],
        }
        start: Message | None = None
        body: list[bytes] = []

        async def intercept(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                got = {k.lower(): v for k, v in message.get("headers", [])}
                html = got.get(b"content-type", b"").startswith(b"text/html")
                if html and b"content-encoding" not in got and scope["method"] == "GET":
                    start = message  # held until the whole page is here
                    return
                await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                page = b"".join(body)
                head = _HEAD.search(page)
                if head is not None:
                    page = page[: head.end()] + self.script + page[head.end() :]
                headers = [
                    (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
                ]
                if gzip_ok:
                    page = gzip.compress(page, compresslevel=6)
                    headers.append((b"content-encoding", b"gzip"))
                headers.append((b"content-length", str(len(page)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": page, "more_body": False})
            else:
                await send(message)

        await self.app(scope, receive, intercept)

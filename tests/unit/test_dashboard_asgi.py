"""The served dashboard tells each page where its server is (no probing of /<page>/_stcore/health)."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

from dashboard.asgi import ServerLocation, location_script

PAGE = b"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>app</body></html>"


def _app(body: bytes, content_type: bytes) -> Any:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["headers"] = dict(scope["headers"])
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", b"%d" % len(body)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:], "more_body": False})

    app.seen = seen  # type: ignore[attr-defined]
    return app


def _get(app: Any, path: str, headers: list[tuple[bytes, bytes]], method: str = "GET") -> Any:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    asyncio.run(ServerLocation(app, base_path="/mande/").__call__(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return dict(start["headers"]), body


def test_a_page_learns_its_server_and_stays_compressed() -> None:
    app = _app(PAGE, b"text/html; charset=utf-8")
    browser = [(b"accept", b"text/html,application/xhtml+xml"), (b"accept-encoding", b"gzip, br")]
    headers, body = _get(app, "/explorer", browser)
    assert b"accept-encoding" not in app.seen["headers"]  # Streamlit answered with plain text
    assert headers[b"content-encoding"] == b"gzip"
    assert int(headers[b"content-length"]) == len(body)
    page = gzip.decompress(body)
    assert page.startswith(b"<!DOCTYPE html><html><head>" + location_script("/mande/"))
    assert page.endswith(b"<body>app</body></html>")
    assert b'window.location.origin+"/mande"' in page


def test_without_gzip_the_page_is_text_with_its_length() -> None:
    headers, body = _get(_app(PAGE, b"text/html"), "/", [(b"accept", b"text/html")])
    assert b"content-encoding" not in headers
    assert int(headers[b"content-length"]) == len(body)
    assert location_script("/mande/") in body


def test_other_responses_pass_unchanged() -> None:
    data = b'{"ok": true, "padding": "0123456789"}'
    app = _app(data, b"application/json")
    headers, body = _get(app, "/_stcore/host-config", [(b"accept-encoding", b"gzip")])
    assert body == data and headers[b"content-length"] == b"%d" % len(data)
    assert app.seen["headers"][b"accept-encoding"] == b"gzip"  # untouched: Streamlit may compress
    # a script asked for as HTML by mistake is still not rewritten
    headers, body = _get(
        _app(data, b"application/javascript"), "/x.js", [(b"accept", b"text/html")]
    )
    assert body == data


def test_the_base_path_cannot_close_the_script() -> None:
    script = location_script("</script><script>alert(1)")
    assert script.count(b"</script>") == 1 and b"\\u003c/script>" in script
    assert b'origin+""' in location_script("") and b'origin+""' in location_script("/")

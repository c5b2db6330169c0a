"""`make demo` listens on this machine only: without sign-in its single user is admin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _listening(port: int) -> list[str]:
    """The local addresses listening on TCP ``port`` (Linux /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def test_demo_listens_on_loopback_only(demo_server: Any) -> None:
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux's /proc/net/tcp")
    port = int(demo_server.url.rsplit(":", 1)[1])
    addresses = _listening(port)
    assert addresses, f"nothing listens on {port}"
    # 127.0.0.1 as /proc writes it (little-endian hex); never 0.0.0.0 or ::
    assert set(addresses) == {"0100007F"}, addresses

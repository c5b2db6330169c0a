"""Roles and what each may do.

Three roles: ``viewer`` (reads results), ``officer`` (also uploads and checks data, plans rounds),
``admin`` (also makes an older version current, purges, reads the audit log). On a laptop the single
local user is admin; a shared deployment maps signed-in e-mails to roles in ``mission.yaml``.
The store and the dashboard both check: hiding a menu is not enough.
"""

from __future__ import annotations

from typing import Literal

from mande.errors import PermissionDenied

__all__ = ["ACTIONS", "ROLES", "Role", "allowed", "require"]

Role = Literal["viewer", "officer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "officer", "admin")

# action -> the least role that may do it
ACTIONS: dict[str, Role] = {
    "view": "viewer",
    "export": "viewer",
    "upload": "officer",
    "validate": "officer",
    "plan": "officer",
    "set_current": "admin",
    "purge": "admin",
    "audit": "admin",
}


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``."""
    if role not in ROLES:
        return False
    try:
        least = ACTIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}") from None
    return ROLES.index(role) >= ROLES.index(least)  # type: ignore[arg-type]


def require(role: str, action: str, user: str = "") -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may do ``action``."""
    if not allowed(role, action):
        who = f"{user} ({role})" if user else f"role '{role}'"
        raise PermissionDenied(
            f"{who} may not {action.replace('_', ' ')}; it needs the '{ACTIONS[action]}' role. "
            "Ask an admin to grant it in mission.yaml (roles:)."
        )

"""Which pages exist, and which a role may open. The router shows only these; each page and the
store check the role again."""

from __future__ import annotations

from dataclasses import dataclass

import mande


@dataclass(frozen=True)
class PageSpec:
    file: str  # in dashboard/views/
    key: str  # title key in dashboard.i18n, and the URL path
    icon: str
    action: str  # what the role must be allowed to do (mande.roles.ACTIONS)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "overview", ":material/dashboard:", "view"),
    PageSpec("explorer.py", "explorer", ":material/insights:", "view"),
    PageSpec("trends.py", "trends", ":material/trending_up:", "view"),
    PageSpec("partners.py", "partners", ":material/handshake:", "view"),
    PageSpec("footprint.py", "footprint", ":material/location_on:", "view"),
    PageSpec("reports.py", "reports", ":material/description:", "export"),
    PageSpec("upload.py", "upload", ":material/upload_file:", "upload"),
    PageSpec("plan.py", "plan", ":material/map:", "plan"),
    PageSpec("data_audit.py", "data_audit", ":material/manage_history:", "audit"),
)


def pages_for(role: str) -> list[PageSpec]:
    """The pages ``role`` may open, in menu order."""
    return [p for p in PAGES if mande.allowed(role, p.action)]

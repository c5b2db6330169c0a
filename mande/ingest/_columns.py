"""Locating each question's column in an export, whatever the header style.

Headers may be XML names or labels in any form language, with group paths joined by ``/``, ``-``,
``.`` or ``:`` (Kobo's group separator, ODK Central's ``-``, R's ``.``) or without them, with group
labels in the header (Kobo's "hierarchy in labels"); select_multiple answers may be one column
(summary), one column per choice (details: ``q/choice``) or both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mande.ingest._decode import choice_lookup, hnorm
from mande.ingest.xlsform import Form, Question


@dataclass
class Columns:
    """Where the questions are: question -> header, split choice columns, the other headers."""

    question: dict[str, str] = field(default_factory=dict)  # question name -> header
    split: dict[str, dict[str, str]] = field(default_factory=dict)  # sm name -> {choice: header}
    other: list[str] = field(default_factory=list)  # headers that are not questions
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (q, kept, ignored)


def resolve_columns(
    form: Form, headers: Iterable[str], questions: Sequence[Question] | None = None
) -> Columns:
    """Find the column of each of ``questions`` (default: the questions outside repeat groups)."""
    qs = (
        [q for q in form.questions if q.type != "note" and q.repeat is None]
        if questions is None
        else [q for q in questions if q.type != "note"]
    )
    by_key: dict[str, str] = {}
    name_keys: dict[str, str] = {}
    for q in qs:
        for key in (
            q.name,
            q.path,
            "-".join((*q.group, q.name)),
            ".".join((*q.group, q.name)),
            ":".join((*q.group, q.name)),
        ):
            name_keys.setdefault(hnorm(key), q.name)
    by_key.update(name_keys)
    label_count: dict[str, int] = {}
    for q in qs:
        for lab in {hnorm(x) for x in q.labels.values()}:
            label_count[lab] = label_count.get(lab, 0) + 1
    for q in qs:
        for lab in q.labels.values():
            k = hnorm(lab)
            if k and label_count[k] == 1:
                by_key.setdefault(k, q.name)
                # group label paths: "Security/How safe ..."
                glabels = [form.groups.get(g, {}) for g in q.group]
                for lang, text in q.labels.items():
                    parts = [gl.get(lang, "") for gl in glabels]
                    if all(parts):
                        by_key.setdefault(hnorm("/".join([*parts, text])), q.name)
    sm_choice = {q.name: choice_lookup(form, q) for q in qs if q.type == "select_multiple"}

    def lookup(h: str) -> str | None:
        if h in by_key:
            return by_key[h]
        for sep in ("/", "-", ".", ":"):
            if sep in h:
                last = h.rsplit(sep, 1)[-1].strip()
                hit = name_keys.get(last) if sep != "/" else by_key.get(last)
                if hit is not None:
                    return hit
        return None

    cols = Columns()
    for header in headers:
        h = hnorm(header)
        q_name = by_key.get(h)
        split: tuple[str, str] | None = None
        if q_name is None:
            for m in re.finditer(r"[/.\-:]", h):
                pos = m.start()
                prefix, suffix = h[:pos].strip(), h[pos + 1 :].strip()
                pq = lookup(prefix)
                if pq is not None and pq in sm_choice and suffix in sm_choice[pq]:
                    split = (pq, sm_choice[pq][suffix])
            if split is None:
                q_name = lookup(h)
        if split is not None:
            cols.split.setdefault(split[0], {}).setdefault(split[1], header)
        elif q_name is not None:
            if q_name in cols.question:
                cols.duplicates.append((q_name, cols.question[q_name], header))
            else:
                cols.question[q_name] = header
        else:
            cols.other.append(header)
    return cols


def find_column(headers: list[str], name: str | None) -> str | None:
    """A design or metadata column by exact header, case-insensitive, or last path segment."""
    if not name:
        return None
    if name in headers:
        return name
    low = hnorm(name)
    for h in headers:
        if hnorm(h) == low:
            return h
    for h in headers:
        if hnorm(re.split(r"[/]", h)[-1]) == low:
            return h
    return None

"""Mapping a mission's own form onto the standard items (question -> item, choice -> code).

The standard XLSForm maps by itself (its question names are the item names, its choice names the
codes). A mission's own form (French question names such as ``securite_nuit``, its own choice
names) maps through a mapping file that :func:`suggest_mapping` proposes and the officer confirms or
edits. The file format is YAML::

    form_id: enquete_perception_2025        # the form it was made for (informative)
    design:                                 # which export columns carry the design
      weight: poids_final
      strata: strate
      psu: grappe
      respondent_id: _uuid                  # hashed on ingest, never stored raw
      interview_date: today
    questions:
      securite_nuit:                        # the form's question name
        item: safe_dark                     # the standard item (null: keep unmapped)
        confidence: 0.94                    # how sure the suggestion was (informative)
        choices:                            # the form's choice name -> the standard code
          tres_sur: 1
          sur: 2
          ne_sait_pas: 98
      commentaire:
        item: null

Questions not listed, or listed with ``item: null``, are kept under their own names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from mande.errors import DefinitionError
from mande.indicators.items import StandardItem, StandardItems, standard_items
from mande.ingest.sample_design import DEFAULT_DESIGN, DESIGN_KEYS, parse_design
from mande.ingest.xlsform import Form, Question

__all__ = [
    "DESIGN_KEYS",
    "ItemMapping",
    "Mapping",
    "load_mapping",
    "mapping_from_dict",
    "standard_mapping",
    "suggest_mapping",
]

_COMPATIBLE = {
    "select_one": {"select_one"},
    "select_multiple": {"select_multiple"},
    "integer": {"integer", "decimal", "range"},
}


@dataclass(frozen=True)
class ItemMapping:
    """How one form question maps to a standard item.

    ``choices`` maps the form's choice names to standard codes (int for ordinal scales, str for
    categories); a choice left out has no standard code and is read as missing, with a warning.
    """

    question: str
    item: str | None
    choices: dict[str, Any] = field(default_factory=dict)
    confidence: float = 1.0
    choice_confidence: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    """A form's mapping onto the standard items, and which columns carry the design."""

    questions: dict[str, ItemMapping]
    design: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_DESIGN))
    form_id: str | None = None

    def item_of(self, question: str) -> ItemMapping | None:
        m = self.questions.get(question)
        return m if m is not None and m.item is not None else None

    def to_dict(self) -> dict[str, Any]:
        qs: dict[str, Any] = {}
        for name, m in self.questions.items():
            entry: dict[str, Any] = {"item": m.item, "confidence": round(float(m.confidence), 2)}
            if m.choices:
                entry["choices"] = dict(m.choices)
            if m.choice_confidence and any(v < 1 for v in m.choice_confidence.values()):
                entry["choice_confidence"] = {
                    k: round(float(v), 2) for k, v in m.choice_confidence.items()
                }
            qs[name] = entry
        return {"form_id": self.form_id, "design": dict(self.design), "questions": qs}

    def with_items(self, changes: dict[str, str | None], form: Form | None = None) -> Mapping:
        """A copy with some questions mapped to other standard items (None: keep unmapped).

        When ``form`` is given, the choices of a question whose item changed are matched again to
        the new item's codes (by label, in English or French); without it they are dropped, so
        that no choice keeps a code of the wrong scale.
        """
        items = standard_items()
        qs = dict(self.questions)
        for name, item in changes.items():
            old = qs.get(name, ItemMapping(name, None))
            if item == old.item:
                continue
            if item is not None and item not in items:
                raise DefinitionError(f"'{item}' is not a standard item", field=f"questions.{name}")
            choices: dict[str, Any] = {}
            conf: dict[str, float] = {}
            if item is not None and form is not None:
                q = form.question(name)
                if q.is_select:
                    choices, conf = _match_choices(form, q, items[item], items, {})
            qs[name] = ItemMapping(name, item, choices, 1.0 if item else 0.0, conf)
        return Mapping(qs, dict(self.design), self.form_id)

    def to_frame(self, form: Form | None = None, lang: str = "en") -> Any:
        """One row per question: question, label (from ``form``), item, confidence, choices."""
        import pandas as pd

        rows = []
        for name, m in self.questions.items():
            label = ""
            if form is not None:
                try:
                    q = form.question(name)
                    label = q.labels.get(lang) or next(iter(q.labels.values()), "")
                except Exception:  # a question the form does not have
                    label = ""
            rows.append(
                {
                    "question": name,
                    "label": label,
                    "item": m.item,
                    "confidence": round(float(m.confidence), 2),
                    "choices": len(m.choices),
                }
            )
        return pd.DataFrame(rows, columns=["question", "label", "item", "confidence", "choices"])

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The mapping as YAML (the format in the module docstring); written to ``path`` if given."""
        text = (
            "# mande mapping: the form's questions and choices -> the standard items and codes.\n"
            "# Check every entry (low confidence first), edit, then pass it to read_survey or\n"
            "# `mande validate FILE --form FORM --mapping THIS_FILE`.\n"
            + yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        )
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", " ", text.lower())
    return " ".join(text.split())


def _ratio(a: str, b: str) -> float:
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def _code_labels(item: StandardItem, items: StandardItems) -> dict[Any, list[str]]:
    out: dict[Any, list[str]] = {}
    for code, labels in (item.choices or {}).items():
        out[code] = [str(v) for v in labels.values()]
    for code in item.non_substantive:
        out[code] = [str(v) for v in items.non_substantive[code].values()]
    return out


def _match_choices(
    form: Form, q: Question, item: StandardItem, items: StandardItems, regions: dict[str, str]
) -> tuple[dict[str, Any], dict[str, float]]:
    """Form choice -> standard code: exact label (EN/FR, accents ignored), code as name, fuzzy."""
    codes = _code_labels(item, items)
    choices, conf = {}, {}
    if not codes:  # region / admin2: codes are the mission's p-codes
        for c in form.choices_of(q):
            cands = [c.name, *c.labels.values()]
            hit = next((regions[_norm(x)] for x in cands if _norm(x) in regions), None)
            choices[c.name] = hit if hit is not None else c.name
            conf[c.name] = 1.0 if hit is not None or not regions else 0.5
        return choices, conf
    by_label: dict[str, Any] = {}
    for code, labels in codes.items():
        for lab in labels:
            by_label.setdefault(_norm(lab), code)
    by_name = {str(code): code for code in codes}
    pending = []
    for c in form.choices_of(q):
        labels = [_norm(x) for x in c.labels.values()]
        hit = next((by_label[x] for x in labels if x in by_label), None)
        if hit is not None:
            choices[c.name], conf[c.name] = hit, 1.0
        elif c.name in by_name:
            choices[c.name], conf[c.name] = by_name[c.name], 0.9
        else:
            pending.append(c)
    # fuzzy, on labels only, one to one: a code matched exactly is not offered again
    taken = set(choices.values())
    for c in pending:
        best, best_r = None, 0.0
        for code, labs in codes.items():
            if code in taken:
                continue
            for lab in labs:
                for x in c.labels.values():
                    r = _ratio(x, lab)
                    if r > best_r:
                        best, best_r = code, r
        if best is not None and best_r >= 0.85:
            choices[c.name], conf[c.name] = best, round(best_r, 3)
            taken.add(best)
    return choices, conf


def _score(q: Question, item: StandardItem, form: Form, items: StandardItems) -> float:
    if q.name == item.name:
        return 1.0
    name_sim = _ratio(q.name, item.name)
    label_sim = 0.0
    for text in q.labels.values():
        for ref in item.label.values():
            label_sim = max(label_sim, _ratio(text, ref))
    codes = _code_labels(item, items)
    if q.is_select and codes:
        ch = form.choices_of(q)
        wanted = {_norm(lab) for labs in codes.values() for lab in labs}
        hits = sum(any(_norm(x) in wanted for x in c.labels.values()) for c in ch)
        choice_sim = hits / max(len(ch), 1)
        # a choice list that covers the item's scale is a strong sign; the label tells items of the
        # same scale apart
        return 0.15 * name_sim + 0.55 * label_sim + 0.30 * choice_sim
    return 0.35 * name_sim + 0.65 * label_sim


def standard_mapping(form: Form, items: StandardItems | None = None) -> Mapping:
    """The mapping of a form whose question names are the standard item names (identity)."""
    items = items or standard_items()
    qs: dict[str, ItemMapping] = {}
    for q in form.questions:
        if q.name not in items or q.is_metadata:
            continue
        item = items[q.name]
        if q.type not in _COMPATIBLE.get(item.kind, {item.kind}):
            continue
        choices: dict[str, Any] = {}
        if q.is_select:
            by_name = {str(code): code for code in item.codes}
            for c in form.choices_of(q):
                if not item.codes:
                    choices[c.name] = c.name
                elif c.name in by_name:
                    choices[c.name] = by_name[c.name]
        qs[q.name] = ItemMapping(q.name, item.name, choices, 1.0)
    return Mapping(qs, dict(DEFAULT_DESIGN), form.form_id)


def _design_guess(names: Sequence[str]) -> dict[str, str]:
    design = dict(DEFAULT_DESIGN)
    low = {n.lower(): n for n in names}
    patterns = {
        "weight": [r"weight_final", r"poids_final", r"final.*(weight|poids)", r"weight|poids|pond"],
        "strata": [r"^strat", r"strat"],
        "psu": [r"cluster|grappe|^psu|_psu|^zd$|^ea$|segment|^upe|^ue_"],
        "respondent_id": [r"^_uuid$", r"instanceid", r"^_id$"],
        "interview_date": [r"^today$", r"date.*(entretien|interview|enquete)", r"^start$"],
    }
    for key, pats in patterns.items():
        for pat in pats:
            hit = next((orig for n, orig in low.items() if re.search(pat, n.split("/")[-1])), None)
            if hit is not None:
                design[key] = hit.split("/")[-1] if key != "respondent_id" else hit
                break
    return design


def suggest_mapping(
    form: Form,
    *,
    columns: Sequence[str] | None = None,
    regions: dict[str, str] | None = None,
    min_confidence: float = 0.45,
    items: StandardItems | None = None,
) -> Mapping:
    """Propose a mapping of ``form`` onto the standard items, with a confidence per entry.

    Each select, integer and decimal question is scored against each standard item of a compatible
    kind: string similarity (difflib ratio, accents and case ignored) of the names and of the labels
    in every language, and for select questions the share of its choice labels that match the
    item's scale labels in English or French ("Très en sécurité" -> 1). Items are then assigned one
    to one, best score first; a question scoring under ``min_confidence`` is left unmapped.

    Parameters
    ----------
    columns:
        The export's column names, to find the design columns (weight, strata, PSU).
    regions:
        Name or p-code (any case) -> p-code, to map region/admin2 choices (e.g. built from
        ``mission.yaml``); without it region choices keep their names.

    Returns
    -------
    Mapping
        Review it (``Mapping.to_yaml``), edit, and load it back with :func:`load_mapping`.
    """
    items = items or standard_items()
    reg = {_norm(k): v for k, v in (regions or {}).items()}
    candidates = [q for q in form.questions if not q.is_metadata and q.repeat is None]
    scored: list[tuple[float, str, str]] = []
    for q in candidates:
        for item in items.items.values():
            if q.type not in _COMPATIBLE.get(item.kind, {item.kind}):
                continue
            scored.append((_score(q, item, form, items), q.name, item.name))
    scored.sort(key=lambda t: -t[0])
    taken_q: set[str] = set()
    taken_i: set[str] = set()
    qs: dict[str, ItemMapping] = {}
    for score, qname, iname in scored:
        if score < min_confidence or qname in taken_q or iname in taken_i:
            continue
        taken_q.add(qname)
        taken_i.add(iname)
        q = form.question(qname)
        choices, conf = (
            _match_choices(form, q, items[iname], items, reg) if q.is_select else ({}, {})
        )
        qs[qname] = ItemMapping(qname, iname, choices, round(score, 3), conf)
    for q in candidates:
        if q.name not in qs and q.type != "note":
            qs[q.name] = ItemMapping(q.name, None, {}, 0.0)
    # keep the form's order
    ordered = {q.name: qs[q.name] for q in candidates if q.name in qs}
    names = list(columns) if columns is not None else [q.name for q in form.questions]
    return Mapping(ordered, _design_guess(names), form.form_id)


def load_mapping(path: str | Path, *, items: StandardItems | None = None) -> Mapping:
    """Read and check a mapping file (YAML, format in this module's docstring).

    Raises
    ------
    DefinitionError
        With the file and the field: not YAML, an unknown standard item, an item mapped twice, a
        code the item does not have, an unknown design key.
    """
    items = items or standard_items()
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError("mapping file not found", path=str(path)) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"not valid YAML: {exc}", path=str(path)) from None
    return mapping_from_dict(raw, items=items, source=str(path))


def mapping_from_dict(
    raw: Any, *, items: StandardItems | None = None, source: str | None = None
) -> Mapping:
    """Build and check a :class:`Mapping` from its dict form (the YAML file's content).

    Raises
    ------
    DefinitionError
        As :func:`load_mapping`; ``source`` names the file in the message.
    """
    items = items or standard_items()
    path = source or "mapping"
    if not isinstance(raw, dict):
        raise DefinitionError(
            "expected a mapping with 'questions' and 'design' at the top level", path=str(path)
        )
    design = parse_design(raw.get("design"), path=str(path))
    qs: dict[str, ItemMapping] = {}
    used: dict[str, str] = {}
    for qname, spec in (raw.get("questions") or {}).items():
        where = f"questions.{qname}"
        if spec is None or (isinstance(spec, dict) and spec.get("item") is None):
            qs[str(qname)] = ItemMapping(str(qname), None)
            continue
        if isinstance(spec, str):
            spec = {"item": spec}
        if not isinstance(spec, dict):
            raise DefinitionError(
                "expected {item: ITEM, choices: {CHOICE: CODE}}", path=str(path), field=where
            )
        iname = str(spec["item"])
        if iname not in items:
            raise DefinitionError(
                f"'{iname}' is not a standard item; known: {', '.join(sorted(items.items))}",
                path=str(path),
                field=where + ".item",
            )
        if iname in used:
            raise DefinitionError(
                f"item '{iname}' is mapped from both '{used[iname]}' and '{qname}'; map each "
                "standard item from one question",
                path=str(path),
                field=where + ".item",
            )
        used[iname] = str(qname)
        item = items[iname]
        valid = {str(c): c for c in item.codes}
        choices: dict[str, Any] = {}
        for cname, code in (spec.get("choices") or {}).items():
            if code is None:
                continue
            if valid:
                if str(code) not in valid:
                    raise DefinitionError(
                        f"code {code!r} is not a code of item '{iname}'; expected one of "
                        f"{', '.join(map(str, item.codes))}",
                        path=str(path),
                        field=f"{where}.choices.{cname}",
                    )
                code = valid[str(code)]
            choices[str(cname)] = code
        qs[str(qname)] = ItemMapping(
            str(qname),
            iname,
            choices,
            float(spec.get("confidence", 1.0)),
            {str(k): float(v) for k, v in (spec.get("choice_confidence") or {}).items()},
        )
    return Mapping(qs, design, raw.get("form_id"))

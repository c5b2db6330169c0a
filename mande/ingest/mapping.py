"""Mapping a mission's own form onto the standard items (question -> item, choice -> code).

The standard XLSForm maps by itself (its question names are the item names, its choice names the
codes). A mission's own form (French question names such as ``securite_nuit``, its own choice
names) maps through a mapping file that :func:`suggest_mapping` proposes and the officer confirms or
edits. The file format is YAML::

    form_id: enquete_perception_2025        # the form it was made for (informative)
    confirmed: true                         # the design below was checked by an officer
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
        confirmed: true                     # checked by an officer
        choices:                            # the form's choice name -> the standard code
          tres_sur: 1
          sur: 2
          ne_sait_pas: 98
      commentaire:
        item: null

Questions not listed, or listed with ``item: null``, are kept under their own names.

Every suggestion is *to confirm*: :func:`suggest_mapping` marks it ``confirmed: false`` (and the
design too). A file an officer wrote, or one where they set ``confirmed: true`` (or removed the
key), is confirmed. When a survey is read, :meth:`Mapping.usable` keeps a suggestion that is not
confirmed only if its confidence is at least :data:`AUTO_USE` (0.8); below that the question is
kept under its own name and feeds no published indicator, and the design column falls back to the
standard name, with a warning in the validation report saying what to confirm
(:meth:`Mapping.set_aside_problems`). :func:`indicators_fed` says which indicators each mapped
item feeds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from mande.errors import DefinitionError, Problem
from mande.indicators.items import StandardItem, StandardItems, standard_items
from mande.ingest.sample_design import DEFAULT_DESIGN, DESIGN_KEYS, parse_design
from mande.ingest.xlsform import Form, Question

__all__ = [
    "AUTO_USE",
    "DESIGN_KEYS",
    "MIN_CONFIDENCE",
    "ItemMapping",
    "Mapping",
    "indicators_fed",
    "indicators_of_items",
    "load_mapping",
    "mapping_from_dict",
    "standard_mapping",
    "suggest_mapping",
]

#: A suggestion under this confidence is not offered at all. Calibrated on real forms that are not
#: perception surveys (``../shared/realworld/forms``): their best score against a standard
#: perception item is 0.41; questions that do ask a standard item score 0.75 and more.
MIN_CONFIDENCE = 0.5
#: An unconfirmed suggestion is used to compute published indicators only at this confidence or
#: more; below it an officer must confirm it first.
AUTO_USE = 0.8
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
    confirmed: bool = True

    def usable(self, min_confidence: float = AUTO_USE) -> bool:
        """May this entry feed a published indicator: confirmed, or suggested with confidence."""
        return self.item is not None and (self.confirmed or self.confidence >= min_confidence)


@dataclass(frozen=True)
class Mapping:
    """A form's mapping onto the standard items, and which columns carry the design.

    ``design_confidence`` holds how sure the guess of each design column was (design key ->
    0 to 1; empty when the design was declared); ``design_confirmed`` whether an officer checked
    the design.
    """

    questions: dict[str, ItemMapping]
    design: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_DESIGN))
    form_id: str | None = None
    design_confidence: dict[str, float] = field(default_factory=dict)
    design_confirmed: bool = True

    def item_of(self, question: str) -> ItemMapping | None:
        m = self.questions.get(question)
        return m if m is not None and m.item is not None else None

    @property
    def confirmed(self) -> bool:
        """Whether an officer confirmed the design and every mapped question."""
        return self.design_confirmed and all(
            m.confirmed for m in self.questions.values() if m.item is not None
        )

    def confirm(self) -> Mapping:
        """A copy in which the officer confirmed every entry and the design."""
        from dataclasses import replace

        qs = {k: replace(m, confirmed=True) for k, m in self.questions.items()}
        return Mapping(qs, dict(self.design), self.form_id, dict(self.design_confidence), True)

    def usable(self, min_confidence: float = AUTO_USE) -> Mapping:
        """The mapping that may compute published indicators.

        An unconfirmed suggestion under ``min_confidence`` is dropped (its question is kept under
        its own name and feeds no indicator); an unconfirmed design column guessed under
        ``min_confidence`` falls back to the standard column name. :meth:`set_aside_problems`
        says which, for the validation report.
        """
        qs = {
            k: m if m.item is None or m.usable(min_confidence) else ItemMapping(k, None)
            for k, m in self.questions.items()
        }
        design = dict(self.design)
        for key in self._design_set_aside(min_confidence):
            design[key] = DEFAULT_DESIGN[key]
        return Mapping(
            qs, design, self.form_id, dict(self.design_confidence), self.design_confirmed
        )

    def _design_set_aside(self, min_confidence: float) -> list[str]:
        """Design keys whose column was guessed (not declared) under ``min_confidence``."""
        if self.design_confirmed:
            return []
        return [
            key
            for key, conf in self.design_confidence.items()
            if 0 < conf < min_confidence
            and key in DEFAULT_DESIGN
            and self.design.get(key) not in (None, DEFAULT_DESIGN[key])
        ]

    def set_aside_problems(self, min_confidence: float = AUTO_USE) -> list[Problem]:
        """One warning per suggestion :meth:`usable` sets aside, saying how to confirm it."""
        out = []
        for q, m in self.questions.items():
            if m.item is not None and not m.usable(min_confidence):
                out.append(
                    Problem(
                        f"question '{q}' was suggested as standard item '{m.item}' with confidence "
                        f"{m.confidence:.2f}, which no officer confirmed: it is kept under its own "
                        "name and feeds no published indicator. If it does ask this item, set "
                        "'confirmed: true' for it in the mapping file (or confirm the mapping on "
                        "the Upload page) and upload again",
                        severity="warning",
                        code="mapping_unconfirmed",
                        column=q,
                        value=m.item,
                        expected=f"a confirmed mapping, or a confidence of {min_confidence} or more",
                    )
                )
        for key in self._design_set_aside(min_confidence):
            conf = self.design_confidence[key]
            out.append(
                Problem(
                    f"column '{self.design[key]}' was guessed as the design's {key} with "
                    f"confidence {conf:.2f}, which no officer confirmed: it is not used. "
                    f"Declare it in the mapping file (design: {key}: COLUMN, "
                    "confirmed: true) and upload again",
                    severity="warning",
                    code="mapping_unconfirmed",
                    column=self.design[key],
                    value=key,
                    expected=f"a confirmed design, or a confidence of {min_confidence} or more",
                )
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        qs: dict[str, Any] = {}
        for name, m in self.questions.items():
            entry: dict[str, Any] = {"item": m.item, "confidence": round(float(m.confidence), 2)}
            if m.item is not None:
                entry["confirmed"] = m.confirmed
            if m.choices:
                entry["choices"] = dict(m.choices)
            if m.choice_confidence and any(v < 1 for v in m.choice_confidence.values()):
                entry["choice_confidence"] = {
                    k: round(float(v), 2) for k, v in m.choice_confidence.items()
                }
            qs[name] = entry
        out: dict[str, Any] = {"form_id": self.form_id, "confirmed": self.design_confirmed}
        out["design"] = dict(self.design)
        if self.design_confidence:
            out["design_confidence"] = {
                k: round(float(v), 2) for k, v in self.design_confidence.items()
            }
        out["questions"] = qs
        return out

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
            qs[name] = ItemMapping(name, item, choices, 1.0 if item else 0.0, conf, confirmed=True)
        return Mapping(
            qs, dict(self.design), self.form_id, dict(self.design_confidence), self.design_confirmed
        )

    def to_frame(self, form: Form | None = None, lang: str = "en") -> Any:
        """One row per question: question, label (from ``form``), item, confidence, confirmed
        (None when unmapped), choices."""
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
                    "confirmed": m.confirmed if m.item is not None else None,
                    "choices": len(m.choices),
                }
            )
        return pd.DataFrame(
            rows, columns=["question", "label", "item", "confidence", "confirmed", "choices"]
        )

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The mapping as YAML (the format in the module docstring); written to ``path`` if given."""
        text = (
            "# mande mapping: the form's questions and choices -> the standard items and codes.\n"
            "# Check every entry (low confidence first), edit, and set 'confirmed: true' on what you\n"
            f"# checked: an unconfirmed entry under confidence {AUTO_USE} feeds no indicator. Then\n"
            "# pass it to read_survey or `mande validate FILE --form FORM --mapping THIS_FILE`.\n"
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


# --- how close a question is to a standard item -----------------------------------------------
# A question's text (label in any language, and its name) is compared with an item's text (its
# English and French labels, and its name) as sets of content words: accents, case, stop words and
# word endings ignored, a few synonyms and the UN missions' acronyms folded into one word, each
# word weighted by how rare it is among the items (inverse document frequency). Choices only
# confirm: a yes/no or satisfaction scale cannot make an unrelated question look like an item.

_STOP_WORDS = """
a about after all also an and any are as at be been by can could did do does during each even for
from had has have how i if in into is it its last like many may me more most much my no not of on
or other our over own past please same should since so some such than that the their them then
there these they this those through to too under up very was we were what when where which while
who whom why will with would yes you your yours
au aux avec avez avons ce ces cette dans de des du elle elles en est et etes etre eu il ils je la
le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que quel
quelle quelles quels qui sa se ses si son sont sur ta te tes toi ton tu un une vos votre vous
lequel laquelle lesquels
respondent interviewee enquete enquetee enq repondant question select choose
year years annee annees completed revolues
"""
_SYNONYM_GROUPS = {
    "night": "night dark nuit soir evening nocturne",
    "day": "day daytime daylight journee jour",
    "trust": "trust confidence confiance",
    "safe": "safe safety secure security securite insecurite unsafe insecure surete",
    "army": "army military armee militaire militaires soldiers soldats",
    "court": "court courts tribunal tribunaux justice judge juge",
    "mission": "mission missions un onu united nations unies peacekeepers peacekeeping casques",
    "satisf": "satisfied satisfaction satisfait satisfaite dissatisfied insatisfait",
    "health": "health sante",
    "educ": "school education ecole enseignement",
    "discrim": "discriminated discrimination discrimine discriminee harassed harcelement",
    "victim": "victim victime victims victimes",
    "threat": "threat threats menace menaces",
    "sex": "sex sexe gender genre",
    "age": "age old aged",
    "region": "region province",
}
_STOP = frozenset(_STOP_WORDS.split())
_SYNONYMS = {w: key for key, words in _SYNONYM_GROUPS.items() for w in words.split()}
_MISSION_ACRONYM = re.compile(r"^(minu|monu|unmi|unis|unif|undo|unfi|unam|onuc|unts|unmo)\w{1,6}$")


def _words(text: str) -> set[str]:
    """Content words of ``text`` (or of a name such as ``securite_nuit``), stemmed to 5 letters."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(text))  # camelCase names
    out = set()
    for w in _norm(text.replace("_", " ")).split():
        if w.isdigit() or len(w) < 2 or w in _STOP:
            continue
        if _MISSION_ACRONYM.match(w):
            w = "mission"
        w = _SYNONYMS.get(w, w)
        out.add(w[:5])
    return out


@dataclass(frozen=True)
class _ItemTexts:
    """Each item's words per language (label + name) and each word's weight (rarity)."""

    words: dict[str, tuple[frozenset[str], ...]]
    weight: dict[str, float]
    unknown: float


_ITEM_TEXTS: dict[int, _ItemTexts] = {}


def _item_texts(items: StandardItems) -> _ItemTexts:
    key = id(items)
    if key not in _ITEM_TEXTS:
        import math

        words = {
            name: tuple(frozenset(_words(label) | _words(name)) for label in item.label.values())
            for name, item in items.items.items()
        }
        df: dict[str, int] = {}
        for sets in words.values():
            for w in set().union(*sets):
                df[w] = df.get(w, 0) + 1
        n = len(words)
        weight = {w: math.log(1 + n / k) for w, k in df.items()}
        _ITEM_TEXTS[key] = _ItemTexts(words, weight, math.log(1 + n))
    return _ITEM_TEXTS[key]


def _text_similarity(q: Question, item: StandardItem, texts: _ItemTexts) -> float:
    """Weighted Dice coefficient of content words, best over label languages: 0 to 1."""
    name_words = _words(q.name)
    candidates = [(_words(t) | name_words) for t in q.labels.values() if t] or [name_words]

    def w(ws: set[str] | frozenset[str]) -> float:
        return sum(texts.weight.get(x, texts.unknown) for x in ws)

    best = 0.0
    for qw in candidates:
        for iw in texts.words[item.name]:
            total = w(qw) + w(iw)
            if total:
                best = max(best, 2 * w(qw & iw) / total)
    return best


def _choice_fit(q: Question, item: StandardItem, form: Form, items: StandardItems) -> float:
    """Share of the question's choices whose label is one of the item's answer labels."""
    codes = _code_labels(item, items)
    if not codes:
        return 1.0  # region / admin2: the mission's own places
    ch = form.choices_of(q)
    wanted = {_norm(lab) for labs in codes.values() for lab in labs}
    hits = sum(
        any(_norm(x) in wanted for x in c.labels.values()) or c.name in {str(k) for k in codes}
        for c in ch
    )
    return hits / max(len(ch), 1)


def _score(q: Question, item: StandardItem, form: Form, items: StandardItems) -> float:
    """Confidence that question ``q`` asks standard item ``item``: 0 to 1.

    1 for the item's own name; otherwise the text similarity (content words of labels and names,
    see above), scaled down to 3/4 when none of a select's choices match the item's answers.
    The choices never raise a score the text does not support.
    """
    if q.name == item.name:
        return 1.0
    sim = _text_similarity(q, item, _item_texts(items))
    if q.is_select:
        sim *= 0.75 + 0.25 * _choice_fit(q, item, form, items)
    return sim


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


#: Design column names recognised whole (confidence 0.95), then words recognised inside a name
#: (confidence 0.75: to confirm). Words, never substrings: 'pond' is not in 'respondent'.
_DESIGN_WORDS = {  # key: (whole names, in order of preference; words inside a name)
    "weight": (
        "weight_final poids_final final_weight weight weights poids ponderation wgt wt",
        "weight weights poids ponderation wgt",
    ),
    "strata": ("stratum strata strate strates stratification", "stratum strata strate strates"),
    "psu": ("cluster_id cluster psu grappe upe zd ea enumeration_area", "cluster grappe psu upe"),
    "respondent_id": ("_uuid uuid meta/instanceid instanceid key _id", ""),
    "interview_date": ("today date_entretien interview_date date_interview start", ""),
}
_DESIGN_NAMES = {
    k: (whole.split(), frozenset(words.split())) for k, (whole, words) in _DESIGN_WORDS.items()
}


def _name_words(name: str) -> list[str]:
    """The words of a column name: ``poids_menage`` -> poids, menage; ``StratumID`` -> stratum, id."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", name.split("/")[-1])
    return [w for w in re.split(r"[^a-z0-9]+", _norm(text).replace(" ", "_")) if w]


def _design_guess(names: Sequence[str]) -> tuple[dict[str, str], dict[str, float]]:
    """Design key -> column, and the confidence of each guess (0 when nothing was found).

    A whole known name (``poids``, ``strate``, ``grappe``, ``_uuid``) scores 0.95; a known word in
    a longer name (``poids_menage``, ``StratumCode``) 0.75, to confirm; nothing else.
    """
    design = dict(DEFAULT_DESIGN)
    confidence: dict[str, float] = {}
    for key, (whole, words) in _DESIGN_NAMES.items():
        best, best_c = None, 0.0
        for name in names:
            last = name.split("/")[-1]
            low = last.strip().lower()
            if low in whole or name.strip().lower() in whole:
                rank = whole.index(low if low in whole else name.strip().lower())
                c = 0.95 - 0.001 * rank  # the preferred name first (_uuid before _id)
            elif words and any(w in words for w in _name_words(last)):
                c = 0.75
            else:
                continue
            if c > best_c:
                best, best_c = name, c
        if best is not None:
            design[key] = best if key == "respondent_id" else best.split("/")[-1]
        confidence[key] = round(best_c, 2)
    return design, confidence


def suggest_mapping(
    form: Form,
    *,
    columns: Sequence[str] | None = None,
    regions: dict[str, str] | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    items: StandardItems | None = None,
) -> Mapping:
    """Propose a mapping of ``form`` onto the standard items, with a confidence per entry.

    Each select, integer and decimal question is scored against each standard item of a compatible
    kind by :func:`_score`: the content words its label (any language) and name share with the
    item's English or French label and name (weighted Dice coefficient, rare words weighing more),
    scaled down when none of a select's choices match the item's answers ("Très en sécurité" ->
    1). Choices confirm a match, never make one. Items are then assigned one to one, best score
    first; a question scoring under ``min_confidence`` is left unmapped. Design columns are
    guessed from whole names or whole words of a name (``poids``, ``strate``, ``grappe``), never
    from substrings, each with a confidence.

    Every entry and the design are marked to confirm (``confirmed=False``): see
    :meth:`Mapping.usable`.

    Parameters
    ----------
    columns:
        The export's column names, to find the design columns (weight, strata, PSU).
    regions:
        Name or p-code (any case) -> p-code, to map region/admin2 choices (e.g. built from
        ``mission.yaml``); without it region choices keep their names.
    min_confidence:
        Questions scoring under this are not suggested (default :data:`MIN_CONFIDENCE`).

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
        qs[qname] = ItemMapping(qname, iname, choices, round(score, 3), conf, confirmed=False)
    for q in candidates:
        if q.name not in qs and q.type != "note":
            qs[q.name] = ItemMapping(q.name, None, {}, 0.0, confirmed=False)
    # keep the form's order
    ordered = {q.name: qs[q.name] for q in candidates if q.name in qs}
    names = list(columns) if columns is not None else [q.name for q in form.questions]
    design, design_conf = _design_guess(names)
    return Mapping(ordered, design, form.form_id, design_conf, design_confirmed=False)


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
            confirmed=_flag(spec.get("confirmed", True), path, where + ".confirmed"),
        )
    declared = raw.get("design") or {}
    design_conf = {  # only for the columns the file still names
        str(k): float(v)
        for k, v in (raw.get("design_confidence") or {}).items()
        if str(k) in DESIGN_KEYS and isinstance(declared, dict) and declared.get(k) is not None
    }
    return Mapping(
        qs,
        design,
        raw.get("form_id"),
        design_conf,
        _flag(raw.get("confirmed", True), path, "confirmed"),
    )


def _flag(value: Any, path: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    raise DefinitionError(f"expected true or false, got {value!r}", path=str(path), field=where)


def indicators_of_items(items: Iterable[str], catalogue: Any = None) -> dict[str, tuple[str, ...]]:
    """Standard item -> the ids of the indicators that read it, for each of ``items``.

    An indicator reads an item when the item is one of its items, the item of one of its
    variants, a column of its universe (``victim == 1``), or an item of one of its components.
    A breakdown item (sex, age group, region, ...) is read by none directly: it splits every
    indicator. ``catalogue``: a :class:`~mande.indicators.catalogue.Catalogue` (default: the
    standard catalogue).
    """
    if catalogue is None:
        from mande.indicators.catalogue import load_catalogue

        catalogue = load_catalogue()
    direct: dict[str, set[str]] = {}
    for ind in catalogue:
        read = set(ind.items) | {v.item for v in ind.variants}
        if ind.scoring.universe is not None:
            read |= set(ind.scoring.universe.columns)
        direct[ind.id] = read
    reads: dict[str, set[str]] = {}
    for ind in catalogue:
        seen: set[str] = set()
        todo, items_read = [ind.id], set()
        while todo:
            i = todo.pop()
            if i in seen or i not in direct:
                continue
            seen.add(i)
            items_read |= direct[i]
            todo.extend(catalogue[i].components)
        reads[ind.id] = items_read
    return {
        item: tuple(sorted(i for i, r in reads.items() if item in r))
        for item in dict.fromkeys(items)
    }


def indicators_fed(
    mapping: Mapping, catalogue: Any = None, *, usable_only: bool = True
) -> dict[str, tuple[str, ...]]:
    """Standard item -> the ids of the indicators it feeds, for every item ``mapping`` maps.

    See :func:`indicators_of_items` for what "feeds" means.

    Parameters
    ----------
    catalogue:
        A :class:`~mande.indicators.catalogue.Catalogue` (default: the standard catalogue).
    usable_only:
        Only the entries :meth:`Mapping.usable` keeps (default): what will actually feed
        published indicators.
    """
    m = mapping.usable() if usable_only else mapping
    return indicators_of_items(
        (e.item for e in m.questions.values() if e.item is not None), catalogue
    )

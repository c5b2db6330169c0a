"""The sample mission's partner-interview coding sheets: one filled template per reporting period.

A fixed panel of invented partner organisations (the mission's regions and places, see
:func:`partner_panel`) is re-interviewed period after period, so that each organisation's own level
(a random intercept) can be told apart from the effect of robust operations. Scores are drawn on a
latent 1-5 scale and rounded; the true effects are the module constants below and are documented in
``sample_data/README.md`` (section "Partner-interview coding sheets").

The story: partners' trust, mutual benefit and above all cooperation dip where and while the
mission runs a robust operation (``kind: robust_operation`` events in ``mission.yaml``), and recover
only partly after the operation ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mande.partners.rubric import load_rubric
from mande.partners.template import build_template, save_workbook_reproducibly

if TYPE_CHECKING:
    from mande.config import MissionConfig

__all__ = [
    "AFTER_FRACTION",
    "AS_OF",
    "BASE",
    "DEPLOYMENT_EFFECT",
    "ROBUST_EFFECT",
    "TRUE_RQI_ROBUST_EFFECT",
    "generate_interviews",
    "partner_panel",
]

AS_OF = dt.date(2026, 10, 1)
"""Sheets are written for the reporting periods that ended before this day."""

BASE = {
    "trust": 3.30,
    "mutual_benefit": 3.40,
    "cooperation": 3.50,
    "information_sharing": 3.10,
    "communication": 3.30,
    "impartiality": 3.20,
    "acceptance": 3.40,
    "local_ownership": 3.00,
    "coercion_cooperation": 3.60,
}
"""Latent mean of each score (1-5) for a typical partner before any event."""

TYPE_EFFECT = {
    "national_authority": 0.20,
    "local_authority": 0.10,
    "security_forces": 0.30,
    "tcc_pcc": 0.50,
    "un_agency": 0.40,
    "ingo": -0.10,
    "national_ngo": -0.20,
    "traditional_leaders": 0.00,
    "women_youth": -0.30,
}
"""Shift of every score by partner type."""

ROBUST_EFFECT = {
    "trust": -0.50,
    "mutual_benefit": -0.30,
    "cooperation": -0.80,
    "information_sharing": -0.40,
    "communication": -0.20,
    "impartiality": -0.50,
    "acceptance": -0.40,
    "local_ownership": -0.20,
    "coercion_cooperation": -0.80,
}
"""Shift of each score (1-5 points) in an interview held where and while a robust operation ran."""

TRUE_RQI_ROBUST_EFFECT = (
    (ROBUST_EFFECT["trust"] + ROBUST_EFFECT["mutual_benefit"] + ROBUST_EFFECT["cooperation"])
    / 3
    / 4
    * 100
)
"""The robust-operation effect on the relationship-quality index, in points (0-100): -13.3."""

AFTER_FRACTION = ((122, 0.5), (10_000, 0.3))
"""After the operation ends, in its regions: the share of the dip that remains, by days since the
end (up to 122 days: half; afterwards: 30 per cent)."""

DEPLOYMENT_EFFECT = {"cooperation": 0.20, "information_sharing": 0.30}
"""Shift of these scores in the regions where the mission opened bases (``kind: deployment``), from
the deployment date."""

TREND_PER_PERIOD = {"acceptance": -0.08}
"""Change of a score per reporting period elapsed (others: -0.03): acceptance of the mission declines
the longer it stays (Dorussen)."""
DEFAULT_TREND = -0.03
SD_PARTNER = 0.45  # random intercept per organisation (shared by all scores)
SD_INTERVIEW = 0.30  # per interview, shared by all scores (the interviewee's overall view)
SD_SCORE = 0.55  # per interview and score
SECOND_CODER = (0.10, 0.80, 0.10)  # second coder's score: one lower, same, one higher

THEME_BASE = {
    "information_sharing": 0.25,
    "early_warning": 0.10,
    "weapons_mistrust": 0.05,
    "civilian_harm": 0.04,
    "protection_civilians": 0.20,
    "impartiality_concerns": 0.05,
    "local_ownership": 0.15,
    "joint_activities": 0.15,
    "communication_gaps": 0.08,
    "staff_rotation": 0.05,
    "resources": 0.12,
    "inclusion": 0.06,
    "transition": 0.04,
}
"""Probability that an interview raises each theme, before the adjustments listed in the README."""

CONSENT = (0.78, 0.15, 0.07)  # yes, no, left blank (counted as no)
P_QUOTE = 0.55
P_DOUBLE = 0.10
CODERS = ("AM", "BK", "CN", "DT", "EY")
_INGOS = (
    "Terre Solidaire Internationale",
    "Aide Sans Frontières",
    "Children First Relief",
    "Hope Water Alliance",
    "Santé pour Tous International",
    "Nordic Refugee Action",
)
_UN = ("HCR", "PAM", "UNICEF", "OCHA", "PNUD", "FAO")
_NATIONAL = (
    "Ministère de l'Administration du territoire",
    "Ministère de la Justice",
    "Ministère de la Défense nationale",
    "Haut-Commissariat à la réconciliation nationale",
)

_QUOTES: dict[str, tuple[tuple[str, str], ...]] = {
    # (language, text); {name}, {phone}, {partner}, {place} are filled in
    "information_sharing": (
        (
            "fr",
            "On partage ce qu'on sait avec la Mission chaque semaine, surtout sur les mouvements autour de {place}.",
        ),
        (
            "fr",
            "Quand j'ai une information, j'appelle directement le point focal. Mon numéro, c'est le {phone}.",
        ),
        (
            "en",
            "We exchange situation reports every week; it works when the same officer stays in post.",
        ),
    ),
    "early_warning": (
        (
            "fr",
            "Le réseau d'alerte fonctionne : la dernière fois, la patrouille est arrivée en deux heures.",
        ),
        (
            "fr",
            "Moi, {name}, j'ai donné l'alerte trois fois ce trimestre, et on ne m'a jamais répondu.",
        ),
    ),
    "weapons_mistrust": (
        (
            "fr",
            "Quand les blindés entrent dans le village, les gens pensent que la Mission vient faire la guerre, pas la paix.",
        ),
        (
            "fr",
            "Depuis l'opération, les jeunes ne veulent plus parler aux Casques bleus ; ils voient des armes, pas des partenaires.",
        ),
        (
            "en",
            "The heavier posture sends a message: they do not trust us, so why should we trust them?",
        ),
    ),
    "civilian_harm": (
        (
            "fr",
            "Pendant les opérations à {place}, des champs ont été détruits et personne n'est venu expliquer.",
        ),
        (
            "fr",
            "Le Colonel {family} nous avait promis une réunion après l'opération ; elle n'a jamais eu lieu.",
        ),
    ),
    "protection_civilians": (
        ("fr", "Les patrouilles de nuit ont rassuré les femmes qui vont au marché de {place}."),
        ("en", "Protection is visible near the base, much less on the roads further out."),
    ),
    "impartiality_concerns": (
        (
            "fr",
            "On dit que la Mission protège une communauté plus que l'autre ; il faut venir expliquer.",
        ),
        ("fr", "Certains contingents parlent seulement avec les autorités, jamais avec nous."),
    ),
    "local_ownership": (
        (
            "fr",
            "Ce sont nos priorités qui doivent guider les projets, pas celles de Bangui ou de New York.",
        ),
        (
            "fr",
            "Le comité local porte maintenant le projet ; la Mission appuie, c'est ce qu'on voulait.",
        ),
        ("en", "They consult us, but the decisions are already made when we arrive."),
    ),
    "joint_activities": (
        (
            "fr",
            "Les patrouilles conjointes avec {partner} ont repris et les routes sont plus sûres.",
        ),
        ("en", "Joint planning every month has made a real difference to how we work together."),
    ),
    "communication_gaps": (
        ("fr", "À chaque relève, il faut tout recommencer : nouveaux visages, nouveaux numéros."),
        (
            "fr",
            "On apprend les décisions par la radio, jamais par la Mission. Appelez M. {family} au {phone} si vous voulez vérifier.",
        ),
    ),
    "staff_rotation": (
        (
            "en",
            "Every rotation we lose the contacts the last battalion built with the village chiefs.",
        ),
        ("fr", "Le nouveau commandant ne connaît pas encore les chefs de quartier."),
    ),
    "resources": (
        (
            "fr",
            "On nous demande beaucoup de réunions, mais il n'y a pas de moyens pour le transport.",
        ),
        (
            "en",
            "Quick-impact projects help, but the community now expects the mission to pay for everything.",
        ),
    ),
    "inclusion": (
        (
            "fr",
            "Les femmes de {place} veulent être invitées aux réunions de sécurité, pas seulement aux ateliers.",
        ),
        (
            "fr",
            "Les jeunes se sentent écoutés depuis que le conseil de la jeunesse participe au comité.",
        ),
    ),
    "transition": (
        (
            "fr",
            "Si la Mission part demain, qui va continuer les patrouilles ? Il faut préparer la relève.",
        ),
        ("en", "Handover plans exist on paper; we have not seen the resources to follow."),
    ),
}


@dataclass(frozen=True)
class Partner:
    name: str
    partner_type: str
    region: str


def partner_panel(mission: MissionConfig) -> tuple[Partner, ...]:
    """The fixed panel of invented partner organisations: 13 per region, 4 national authorities."""
    out: list[Partner] = []
    for i, r in enumerate(mission.regions):
        rname = r.label("fr")
        places = [a[1].get("fr") or a[1].get("en") or a[0] for a in r.admin2] or [rname]
        a1, a2, a3 = (places * 3)[:3]
        letter = chr(ord("A") + i)
        out += [
            Partner(f"Préfecture de {rname}", "local_authority", r.pcode),
            Partner(f"Mairie de {a1}", "local_authority", r.pcode),
            Partner(f"Commissariat de police de {a1}", "security_forces", r.pcode),
            Partner(f"Brigade de gendarmerie de {a2}", "security_forces", r.pcode),
            Partner(f"Bataillon contingent {letter} ({rname})", "tcc_pcc", r.pcode),
            Partner(f"Bureau du {_UN[i % len(_UN)]} à {a1}", "un_agency", r.pcode),
            Partner(f"{_INGOS[i % len(_INGOS)]}, antenne de {a2}", "ingo", r.pcode),
            Partner(f"Ligue des droits de l'homme de {rname}", "national_ngo", r.pcode),
            Partner(f"Radio communautaire de {a3}", "national_ngo", r.pcode),
            Partner(f"Chefferie de {a2}", "traditional_leaders", r.pcode),
            Partner(
                f"Plateforme des confessions religieuses de {rname}", "traditional_leaders", r.pcode
            ),
            Partner(f"Association des femmes de {a1}", "women_youth", r.pcode),
            Partner(f"Conseil local de la jeunesse de {a3}", "women_youth", r.pcode),
        ]
    capital = mission.regions[0].pcode
    out += [Partner(name, "national_authority", capital) for name in _NATIONAL]
    return tuple(out)


def _after_fraction(days: int) -> float:
    for limit, frac in AFTER_FRACTION:
        if days <= limit:
            return frac
    return 0.0


def _weekday(day: dt.date, start: dt.date) -> dt.date:
    """A weekend day moved to the Friday before, or the Monday after when that leaves the period."""
    if day.weekday() < 5:
        return day
    friday = day - dt.timedelta(days=day.weekday() - 4)
    return friday if friday >= start else day + dt.timedelta(days=7 - day.weekday())


def _vary_name(name: str, rng: np.random.Generator) -> str:
    """How officers re-type an organisation's name: case, accents, spaces."""
    k = rng.integers(4)
    if k == 0:
        return name.lower()
    if k == 1:
        import unicodedata

        return "".join(
            c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
        )
    if k == 2:
        return f"  {name} "
    return name.upper()


def generate_interviews(
    out_dir: Path, mission: MissionConfig, seed: int, *, as_of: dt.date = AS_OF
) -> list[Path]:
    """Write ``out_dir/interviews/coding_<period>.xlsx`` for every reporting period ended by ``as_of``.

    Each sheet is a filled coding-sheet template (:func:`mande.partners.template.build_template`):
    40 to 80 interviews, about one in ten coded a second time by another coder, with the personal
    data real sheets hold (organisation names, interviewees' names and phone numbers, names in
    quotes and notes). Deterministic: ``numpy.random.default_rng(seed)``; same seed, same bytes.
    """
    from mande.demo._names import person_names, phone_numbers

    rb = load_rubric()
    rng = np.random.default_rng(seed)
    panel = partner_panel(mission)
    n_org = len(panel)
    periods = [p for p in mission.periods if p.end < as_of]
    ops = [e for e in mission.events if e.kind == "robust_operation"]
    deployments = [e for e in mission.events if e.kind == "deployment"]
    dims = list(rb.scored)
    base = np.array([BASE[d] for d in dims])
    robust = np.array([ROBUST_EFFECT[d] for d in dims])
    deploy = np.array([DEPLOYMENT_EFFECT.get(d, 0.0) for d in dims])
    trend = np.array([TREND_PER_PERIOD.get(d, DEFAULT_TREND) for d in dims])
    org_effect = rng.normal(0.0, SD_PARTNER, n_org)
    contact_female = rng.random(n_org) < 0.4
    contacts = person_names(rng, contact_female)
    contact_phones = phone_numbers(rng, n_org, rng.integers(0, 3, n_org))
    places = {
        r.pcode: [a[1].get("fr") or a[1].get("en") or a[0] for a in r.admin2] or [r.label("fr")]
        for r in mission.regions
    }
    theme_codes = list(rb.themes)
    folder = Path(out_dir) / "interviews"
    written: list[Path] = []
    for k, period in enumerate(periods):
        lang = "en" if k in (0, 3) else "fr"
        n = int(rng.integers(40, 81))
        chosen = np.sort(rng.choice(n_org, size=min(n, n_org), replace=False))
        span = (min(period.end, as_of - dt.timedelta(days=1)) - period.start).days + 1
        offsets = rng.integers(0, span, size=len(chosen))
        days = [period.start + dt.timedelta(days=int(o)) for o in offsets]
        days = [_weekday(d, period.start) for d in days]
        order = np.argsort(np.array([d.toordinal() for d in days]), kind="stable")
        rows: list[list[object]] = []
        second: list[list[object]] = []
        for seq, i in enumerate(order, start=1):
            org = panel[chosen[i]]
            day = days[i]
            in_op = any(org.region in e.regions and e.date <= day <= (e.end or as_of) for e in ops)
            after = 0.0
            for e in ops:
                if org.region in e.regions and e.end is not None and day > e.end:
                    after = max(after, _after_fraction((day - e.end).days))
            deployed = any(org.region in e.regions and day >= e.date for e in deployments)
            latent = (
                base
                + TYPE_EFFECT[org.partner_type]
                + org_effect[chosen[i]]
                + trend * k
                + robust * (1.0 if in_op else after)
                + deploy * deployed
                + rng.normal(0.0, SD_INTERVIEW)
                + rng.normal(0.0, SD_SCORE, len(dims))
            )
            low = np.floor(latent)
            scores = np.clip(low + (rng.random(len(dims)) < latent - low), 1, 5).astype(int)
            s = dict(zip(dims, scores, strict=True))
            # themes
            p = np.array([THEME_BASE[t] for t in theme_codes])
            adj = {
                "weapons_mistrust": 0.45 * in_op + 0.15 * (after > 0),
                "civilian_harm": 0.30 * in_op,
                "information_sharing": 0.15 * (s["information_sharing"] >= 4),
                "early_warning": 0.20 * (s["information_sharing"] >= 4),
                "impartiality_concerns": 0.35 * (s["impartiality"] <= 2),
                "joint_activities": 0.20 * (s["cooperation"] >= 4),
                "communication_gaps": 0.30 * (s["communication"] <= 2),
                "staff_rotation": 0.30 * (org.partner_type in ("tcc_pcc", "local_authority")),
                "resources": 0.15 * (org.partner_type in ("national_ngo", "women_youth")),
                "inclusion": 0.45 * (org.partner_type == "women_youth"),
                "transition": 0.03 * k,
                "local_ownership": 0.15 * (org.partner_type in ("local_authority", "national_ngo")),
            }
            p = np.clip(p + np.array([adj.get(t, 0.0) for t in theme_codes]), 0, 0.95)
            has = rng.random(len(theme_codes)) < p
            if not has.any():
                has[int(np.argmax(p))] = True
            themes = [t for t, h in zip(theme_codes, has, strict=True) if h][:4]
            # who was met
            if rng.random() < 0.75:
                person, phone = contacts[chosen[i]], contact_phones[chosen[i]]
            else:
                person = person_names(rng, np.array([rng.random() < 0.4]))[0]
                phone = phone_numbers(rng, 1, rng.integers(0, 3, 1))[0]
            if rng.random() < 0.15:
                phone = None
            # quote
            quote = qtheme = consent = None
            if rng.random() < P_QUOTE:
                qtheme = themes[int(rng.integers(len(themes)))]
                options = _QUOTES[qtheme]
                _, text = options[int(rng.integers(len(options)))]
                family = (
                    str(person).split()[0]
                    if str(person).split()[0].isupper()
                    else str(person).split()[-1]
                )
                quote = text.format(
                    name=person,
                    family=family.title(),
                    phone=phone or "72 00 00 00",
                    partner=org.name,
                    place=places[org.region][int(rng.integers(len(places[org.region])))],
                )
                c = rng.choice(3, p=CONSENT)
                consent = ("yes", "no", None)[c]
            coder = CODERS[int(rng.integers(4))]
            name = _vary_name(org.name, rng) if rng.random() < 0.1 else org.name
            note = f"Entretien avec {person} au bureau." if rng.random() < 0.2 else None
            iid = f"{period.id}-{seq:03d}"
            yes_no = {"yes": rb.yes_no["yes"][lang], "no": rb.yes_no["no"][lang], None: None}
            row: list[object] = [
                iid,
                coder,
                day,
                name,
                person,
                phone,
                rb.partner_type_label(org.partner_type, lang),
                org.region,
                yes_no["yes" if in_op else "no"],
                *[int(s[d]) for d in dims],
                "; ".join(themes),
                quote,
                qtheme,
                yes_no[consent],
                note,
            ]
            rows.append(row)
            if rng.random() < P_DOUBLE:
                other = [c for c in CODERS if c != coder]
                coder2 = other[int(rng.integers(len(other)))]
                delta = rng.choice(np.array([-1, 0, 1]), size=len(dims), p=SECOND_CODER)
                scores2 = np.clip(scores + delta, 1, 5)
                themes2 = [t for t in themes if rng.random() > 0.15] or themes[:1]
                row2 = list(row)
                row2[1] = coder2
                row2[3] = org.name
                row2[9 : 9 + len(dims)] = [int(v) for v in scores2]
                row2[9 + len(dims)] = "; ".join(themes2)
                row2[10 + len(dims) :] = [None, None, None, None]
                second.append(row2)
        wb = build_template(lang=lang, mission=mission, coders=CODERS)
        ws = wb["interviews"]
        # the template's column order
        index = {c.name: j for j, c in enumerate(rb.columns, start=1)}
        names = [
            "interview_id",
            "coder",
            "date",
            "partner_name",
            "interviewee_name",
            "interviewee_phone",
            "partner_type",
            "region",
            "robust_context",
            *dims,
            "themes",
            "quote",
            "quote_theme",
            "consent",
            "notes",
        ]
        for r, values in enumerate(rows + second, start=2):
            for name, value in zip(names, values, strict=True):
                ws.cell(row=r, column=index[name], value=value)
        written.append(save_workbook_reproducibly(wb, folder / f"coding_{period.id}.xlsx"))
    return written

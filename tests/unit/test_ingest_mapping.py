"""A mission's own French form maps onto the standard items through a suggested, confirmed mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from _ingest_forms import write_xlsx
from typer.testing import CliRunner

import mande
from mande.cli import app
from mande.errors import DefinitionError

SURVEY = ["type", "name", "label::Français (fr)", "label::English (en)", "relevant"]
CHOICES = ["list_name", "name", "label::Français (fr)", "label::English (en)"]

MISSION_SURVEY = [
    ["start", "start", "", "", ""],
    ["today", "today", "", "", ""],
    ["deviceid", "deviceid", "", "", ""],
    ["begin group", "localisation", "Localisation", "Location", ""],
    ["select_one regions", "region_enq", "Région de l'enquête", "Survey region", ""],
    ["end group", "", "", "", ""],
    ["begin group", "enquete", "Enquêté(e)", "Respondent", ""],
    ["text", "nom_enquete", "Nom de l'enquêté(e)", "Name", ""],
    ["select_one sexe", "sexe", "Sexe de l'enquêté(e)", "Sex", ""],
    ["integer", "age_enq", "Quel âge avez-vous ?", "How old are you?", ""],
    [
        "integer",
        "taille_menage",
        "Combien de personnes vivent dans votre ménage ?",
        "Household size",
        "",
    ],
    ["end group", "", "", "", ""],
    ["begin group", "secu", "Sécurité", "Security", ""],
    [
        "select_one securite",
        "securite_nuit",
        "Vous sentez-vous en sécurité lorsque vous marchez seul(e) dans votre quartier la nuit ?",
        "",
        "",
    ],
    [
        "select_one securite",
        "securite_jour",
        "Vous sentez-vous en sécurité lorsque vous marchez seul(e) dans votre quartier pendant la journée ?",
        "",
        "",
    ],
    ["end group", "", "", "", ""],
    [
        "select_one confiance",
        "confiance_police",
        "Quel est votre niveau de confiance dans la police ?",
        "",
        "",
    ],
    [
        "select_one confiance",
        "confiance_armee",
        "Quel est votre niveau de confiance dans l'armée nationale ?",
        "",
        "",
    ],
    [
        "select_one satmis",
        "satisfaction_minusva",
        "Dans l'ensemble, êtes-vous satisfait(e) du travail de la MINUSVA ?",
        "",
        "",
    ],
    [
        "select_multiple motifs",
        "discrim",
        "Au cours des 12 derniers mois, vous êtes-vous senti(e) discriminé(e) pour l'un des motifs suivants ?",
        "",
        "",
    ],
    ["text", "remarque", "Remarques de l'enquêteur", "Remarks", ""],
]
MISSION_CHOICES = [
    ["regions", "bangora", "Bangora", "Bangora"],
    ["regions", "haute_kessi", "Haute-Kessi", "Upper Kessi"],
    ["regions", "mbali", "Mbali", "Mbali"],
    ["sexe", "h", "Homme", "Male"],
    ["sexe", "f", "Femme", "Female"],
    ["securite", "tres_sur", "Très en sécurité", ""],
    ["securite", "sur", "En sécurité", ""],
    ["securite", "pas_sur", "En insécurité", ""],
    ["securite", "pas_du_tout_sur", "Très en insécurité", ""],
    ["securite", "ne_sort_pas", "Ne sort jamais seul(e) la nuit", ""],
    ["securite", "nsp", "Ne sait pas", ""],
    ["securite", "refus", "Refus", ""],
    ["confiance", "pas_du_tout", "Pas du tout", ""],
    ["confiance", "un_peu", "Un peu", ""],
    ["confiance", "partiellement", "Partiellement", ""],
    ["confiance", "beaucoup", "Beaucoup", ""],
    ["confiance", "nsp", "Ne sait pas", ""],
    ["satmis", "tres_sat", "Très satisfait(e)", ""],
    ["satmis", "plutot_sat", "Plutôt satisfait(e)", ""],
    ["satmis", "plutot_insat", "Plutôt insatisfait(e)", ""],
    ["satmis", "tres_insat", "Très insatisfait(e)", ""],
    ["motifs", "sexe", "Sexe", ""],
    ["motifs", "ethnie", "Ethnie ou tribu", ""],
    ["motifs", "religion", "Religion", ""],
    ["motifs", "aucun", "Aucune discrimination", ""],
]
SAFETY = {
    "tres_sur": 1,
    "sur": 2,
    "pas_sur": 3,
    "pas_du_tout_sur": 4,
    "ne_sort_pas": 7,
    "nsp": 98,
    "refus": 99,
}
TRUST = {"pas_du_tout": 0, "un_peu": 1, "partiellement": 2, "beaucoup": 3, "nsp": 98}
REGIONS = {"Bangora": "VD01", "Haute-Kessi": "VD02", "Upper Kessi": "VD02", "Mbali": "VD03"}


def _records(n: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        out.append(
            {
                "start": "2025-06-02T08:00:00.000+01:00",
                "today": f"2025-06-{2 + i % 10:02d}",
                "deviceid": f"collect:XYZ{i:05d}",
                "localisation/region_enq": ["bangora", "haute_kessi", "mbali"][i % 3],
                "enquete/nom_enquete": f"Awa Ndolo{i}",
                "enquete/sexe": "hf"[i % 2],
                "enquete/age_enq": int(rng.integers(18, 80)),
                "enquete/taille_menage": int(rng.integers(1, 10)),
                "secu/securite_nuit": list(SAFETY)[i % 7],
                "secu/securite_jour": list(SAFETY)[(i + 1) % 4],
                "confiance_police": list(TRUST)[i % 5],
                "confiance_armee": list(TRUST)[(i + 2) % 5],
                "satisfaction_minusva": ["tres_sat", "plutot_sat", "plutot_insat", "tres_insat"][
                    i % 4
                ],
                "discrim": ["ethnie religion", "aucun", "sexe"][i % 3],
                "remarque": "entretien calme" if i % 2 else "",
                "strate": f"S{i % 3}",
                "grappe": f"S{i % 3}-G{i % 6}",
                "poids": 1.0 + (i % 5) / 10,
                "_uuid": f"id-{i:04d}",
            }
        )
    return out


@pytest.fixture(scope="module")
def mission_files(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("mission")
    form = write_xlsx(
        folder / "enquete_perception.xlsx",
        [
            ("survey", [SURVEY, *MISSION_SURVEY]),
            ("choices", [CHOICES, *MISSION_CHOICES]),
            (
                "settings",
                [
                    ["form_id", "version", "default_language"],
                    ["enquete_minusva", "3", "Français (fr)"],
                ],
            ),
        ],
    )
    recs = _records(36)
    headers = list(recs[0])
    export = write_xlsx(
        folder / "export.xlsx", [("Enquête", [headers, *[[r[h] for h in headers] for r in recs]])]
    )
    return form, export, recs


def test_suggested_then_confirmed_mapping_ingests_a_french_mission_form(
    mission_files: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    form_path, export, recs = mission_files
    form = mande.read_xlsform(form_path)
    assert form.default_language == "fr"
    headers = list(recs[0])
    m = mande.suggest_mapping(form, columns=headers, regions=REGIONS)

    items = {q: e.item for q, e in m.questions.items()}
    assert items["securite_nuit"] == "safe_dark"
    assert items["securite_jour"] == "safe_day"
    assert items["confiance_police"] == "trust_police"
    assert items["confiance_armee"] == "trust_army"
    assert items["satisfaction_minusva"] == "mission_satisfaction"
    assert items["discrim"] == "discrimination"
    assert items["sexe"] == "sex"
    assert items["age_enq"] == "age"
    assert items["region_enq"] == "region"
    assert items["remarque"] is None
    assert m.questions["securite_nuit"].choices == SAFETY
    # the day question's scale has no "never goes out alone": left unmapped
    assert m.questions["securite_jour"].choices == {k: v for k, v in SAFETY.items() if v != 7}
    assert m.questions["confiance_police"].choices == TRUST
    assert m.questions["sexe"].choices == {"h": "male", "f": "female"}
    assert m.questions["region_enq"].choices == {
        "bangora": "VD01",
        "haute_kessi": "VD02",
        "mbali": "VD03",
    }
    assert m.questions["discrim"].choices == {
        "sexe": "sex",
        "ethnie": "ethnicity",
        "religion": "religion",
        "aucun": "none",
    }
    assert 0 < m.questions["securite_nuit"].confidence <= 1
    assert (
        m.design["weight"] == "poids"
        and m.design["strata"] == "strate"
        and m.design["psu"] == "grappe"
    )

    # the officer reviews the file: household size is confirmed as unmapped, the rest accepted
    path = tmp_path / "mapping.yaml"
    m.to_yaml(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["questions"]["securite_nuit"]["choices"]["tres_sur"] == 1
    raw["questions"]["taille_menage"] = {"item": None}
    # every suggestion is to confirm; unconfirmed ones under AUTO_USE feed no indicator
    assert raw["confirmed"] is False
    assert all(e["confirmed"] is False for e in raw["questions"].values() if e.get("item"))
    assert raw["questions"]["region_enq"]["confidence"] < mande.ingest.mapping.AUTO_USE
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    unconfirmed = mande.read_survey(
        export, form, mande.load_mapping(path), secret=b"s", max_bytes=10**7, round_label="M1"
    )
    assert unconfirmed.responses["region"].isna().all()
    assert unconfirmed.responses["safe_dark"].notna().all()  # confidence over AUTO_USE: used
    (aside,) = [p for p in unconfirmed.report.problems if p.code == "mapping_unconfirmed"]
    assert aside.column == "region_enq" and "confirmed: true" in aside.message
    # the officer reviewed every entry and confirms them
    raw["confirmed"] = True
    for entry in raw["questions"].values():
        if entry.get("item"):
            entry["confirmed"] = True
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    confirmed = mande.load_mapping(path)
    assert confirmed.confirmed

    rnd = mande.read_survey(export, form, confirmed, secret=b"s", max_bytes=10**7, round_label="M1")
    df = rnd.responses
    want_dark = [float(SAFETY[r["secu/securite_nuit"]]) for r in recs]
    assert df["safe_dark"].tolist() == want_dark
    assert df["trust_police"].tolist() == [float(TRUST[r["confiance_police"]]) for r in recs]
    assert df["mission_satisfaction"].tolist() == [float(1 + i % 4) for i in range(len(recs))]
    assert df["region"].tolist() == [["VD01", "VD02", "VD03"][i % 3] for i in range(len(recs))]
    assert df["sex"].tolist() == [["male", "female"][i % 2] for i in range(len(recs))]
    assert df["discrimination__ethnicity"].tolist() == [float(i % 3 == 0) for i in range(len(recs))]
    assert df["discrimination__none"].tolist() == [float(i % 3 == 1) for i in range(len(recs))]
    assert df["discrimination__political"].isna().all()  # not offered by the form
    assert df["weight"].tolist() == [r["poids"] for r in recs]
    assert df["psu"].tolist() == [r["grappe"] for r in recs]
    assert df["age"].tolist() == [float(r["enquete/age_enq"]) for r in recs]
    assert df["age_group"].notna().all()
    # unmapped questions kept under their own names; names dropped
    assert df["taille_menage"].tolist() == [float(r["enquete/taille_menage"]) for r in recs]
    assert "remarque" in df and "nom_enquete" not in df
    assert any(r.column == "enquete/nom_enquete" for r in rnd.report.removed)
    # items the form does not ask are present and empty
    assert df["identity"].isna().all()
    # the report says which indicators each question feeds
    feeds = rnd.report.feeds().set_index("item")
    assert feeds.loc["safe_dark", "column"] == "secu/securite_nuit"
    assert feeds.loc["safe_dark", "indicators"] == "SAF-01"
    assert feeds.loc["trust_police", "indicators"] == "TRU-01"
    assert feeds.loc["region", "breakdown"] and feeds.loc["region", "indicators"] == ""
    # the mapping's dict form (what the store keeps) gives the same table
    again = mande.read_survey(
        export, form, confirmed.to_dict(), secret=b"s", max_bytes=10**7, round_label="M1"
    )
    pd.testing.assert_frame_equal(again.responses, df)


def test_the_standard_form_maps_by_itself(tmp_path: Path) -> None:
    from _ingest_forms import standard_form

    from mande.ingest.mapping import standard_mapping

    form = mande.read_xlsform(standard_form(tmp_path / "f.xlsx"))
    m = standard_mapping(form)
    assert m.questions["safe_dark"].choices == {
        "1": 1,
        "2": 2,
        "3": 3,
        "4": 4,
        "7": 7,
        "98": 98,
        "99": 99,
    }
    assert m.questions["region"].choices["VD01"] == "VD01"
    assert m.design == {
        "weight": "weight_final",
        "strata": "stratum",
        "psu": "cluster_id",
        "respondent_id": "_uuid",
        "interview_date": "today",
    }
    # a suggestion on the standard form is the identity
    s = mande.suggest_mapping(form)
    assert all(e.item == q for q, e in s.questions.items() if e.item)
    assert s.questions["safe_dark"].choices == m.questions["safe_dark"].choices


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("questions:\n  q1: {item: feels_safe}\n", "'feels_safe' is not a standard item"),
        (
            "questions:\n  q1: {item: safe_dark, choices: {a: 5}}\n",
            "code 5 is not a code of item 'safe_dark'",
        ),
        (
            "questions:\n  q1: {item: safe_dark}\n  q2: {item: safe_dark}\n",
            "item 'safe_dark' is mapped from both 'q1' and 'q2'",
        ),
        ("design:\n  poids: w\n", "unknown design key 'poids'"),
        ("[1, 2", "not valid YAML"),
    ],
)
def test_invalid_mapping_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        mande.load_mapping(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_cli_mapping_suggest(
    mission_files: tuple[Path, Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    form_path, export, _ = mission_files
    out = tmp_path / "suggested.yaml"
    res = CliRunner().invoke(
        app, ["mapping", "suggest", str(form_path), "--out", str(out), "--export", str(export)]
    )
    assert res.exit_code == 0, res.output
    assert "questions mapped to standard items" in res.output
    m = mande.load_mapping(out)
    assert m.questions["securite_nuit"].item == "safe_dark"
    assert m.design["weight"] == "poids"


def test_mapping_edited_in_review_rematches_choices(
    mission_files: tuple[Path, Path, list[dict[str, Any]]],
) -> None:
    """The dashboard's review table: an officer moves a question to another item, or unmaps it."""
    form_path, _, recs = mission_files
    form = mande.read_xlsform(form_path)
    m = mande.suggest_mapping(form, columns=list(recs[0]), regions=REGIONS)
    table = m.to_frame(form, "fr")
    assert list(table.columns) == [
        "question",
        "label",
        "item",
        "confidence",
        "confirmed",
        "choices",
    ]
    row = table.set_index("question").loc["securite_nuit"]
    assert row["item"] == "safe_dark" and row["label"].startswith("Vous sentez-vous")

    # swap the two safety questions, unmap the police one
    edited = m.with_items(
        {"securite_nuit": "safe_day", "securite_jour": "safe_dark", "confiance_police": None},
        form=form,
    )
    assert edited.questions["securite_nuit"].item == "safe_day"
    # choices matched again to the new item's scale: no "never goes out alone" on the day scale
    assert edited.questions["securite_nuit"].choices == {k: v for k, v in SAFETY.items() if v != 7}
    assert edited.questions["securite_jour"].choices == SAFETY
    assert edited.item_of("confiance_police") is None
    assert edited.questions["confiance_armee"] == m.questions["confiance_armee"]  # untouched
    with pytest.raises(DefinitionError, match="'safe_dusk' is not a standard item"):
        m.with_items({"securite_nuit": "safe_dusk"})


def test_unrelated_yes_no_and_satisfaction_questions_are_not_suggested(tmp_path: Path) -> None:
    """A yes/no or satisfaction scale alone never makes a question look like a standard item."""
    path = write_xlsx(
        tmp_path / "other.xlsx",
        [
            (
                "survey",
                [
                    ["type", "name", "label"],
                    ["select_one yn", "enjoy", "Did you enjoy your dining experience?"],
                    ["select_one yn", "store_water", "Does your household store water?"],
                    [
                        "select_one sat",
                        "satisfaction_borehole",
                        "Overall, how satisfied are you with the borehole as a water source?",
                    ],
                    ["select_one yn", "consent", "Do you agree to take part in this survey?"],
                    ["integer", "n_children", "How many children live here?"],
                ],
            ),
            (
                "choices",
                [
                    ["list_name", "name", "label"],
                    ["yn", "1", "Yes"],
                    ["yn", "0", "No"],
                    ["sat", "1", "Very satisfied"],
                    ["sat", "2", "Satisfied"],
                    ["sat", "3", "Dissatisfied"],
                    ["sat", "4", "Very dissatisfied"],
                ],
            ),
        ],
    )
    m = mande.suggest_mapping(mande.read_xlsform(path))
    assert all(e.item is None for e in m.questions.values()), m.to_dict()


def test_design_columns_are_guessed_from_whole_words_with_a_confidence() -> None:
    from mande.ingest.mapping import _design_guess

    design, conf = _design_guess(
        ["respondent", "strategy", "segments of your body", "weight_final", "strate", "grappe"]
    )
    assert (design["weight"], design["strata"], design["psu"]) == (
        "weight_final",
        "strate",
        "grappe",
    )
    assert min(conf["weight"], conf["strata"], conf["psu"]) >= 0.9
    design, conf = _design_guess(["respondent_name", "strategy", "body_segments", "poids_menage"])
    assert design["strata"] == "stratum" and conf["strata"] == 0  # nothing: the standard name
    assert design["psu"] == "cluster_id" and conf["psu"] == 0
    assert design["weight"] == "poids_menage" and conf["weight"] == 0.75  # a word: to confirm


def test_an_unconfirmed_low_confidence_suggestion_feeds_no_indicator() -> None:
    from mande.ingest.mapping import AUTO_USE, ItemMapping, Mapping, indicators_fed

    m = Mapping(
        {
            "q_sure": ItemMapping("q_sure", "safe_dark", confidence=0.93, confirmed=False),
            "q_unsure": ItemMapping("q_unsure", "trust_police", confidence=0.6, confirmed=False),
            "q_checked": ItemMapping("q_checked", "victim", confidence=0.55, confirmed=True),
        },
        design={**mande.ingest.mapping.DEFAULT_DESIGN, "weight": "poids_menage"},
        design_confidence={"weight": 0.75},
        design_confirmed=False,
    )
    assert not m.confirmed
    usable = m.usable()
    assert usable.item_of("q_sure") and usable.item_of("q_checked")
    assert usable.item_of("q_unsure") is None
    assert usable.design["weight"] == "weight_final"  # the guess is not used
    problems = m.set_aside_problems()
    assert {(p.column, p.code, p.severity) for p in problems} == {
        ("q_unsure", "mapping_unconfirmed", "warning"),
        ("poids_menage", "mapping_unconfirmed", "warning"),
    }
    assert indicators_fed(m) == {"safe_dark": ("SAF-01",), "victim": ("VIC-01",)}
    assert indicators_fed(m, usable_only=False)["trust_police"] == ("TRU-01",)
    # VIC-01 reads victim through its universe (victim == 1) and victim_reported as its item
    both = Mapping({"a": ItemMapping("a", "victim_reported"), "b": ItemMapping("b", "victim")})
    assert indicators_fed(both) == {"victim_reported": ("VIC-01",), "victim": ("VIC-01",)}
    confirmed = m.confirm()
    assert confirmed.confirmed and confirmed.usable().item_of("q_unsure")
    assert confirmed.usable().design["weight"] == "poids_menage"
    assert AUTO_USE > mande.ingest.mapping.MIN_CONFIDENCE


def test_a_mapping_file_the_officer_wrote_is_confirmed(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "design: {weight: w}\nquestions:\n  q1: {item: safe_dark, confidence: 0.3}\n",
        encoding="utf-8",
    )
    m = mande.load_mapping(path)
    assert m.confirmed and m.usable().item_of("q1")
    path.write_text("questions:\n  q1: {item: safe_dark, confirmed: perhaps}\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="expected true or false"):
        mande.load_mapping(path)

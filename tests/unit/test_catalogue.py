"""The indicator catalogue: the standard definitions load, bad definitions fail with file and field."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

import mande
from mande.errors import DefinitionError
from mande.indicators.catalogue import DEFINITIONS_DIR, Catalogue, Indicator, load_catalogue

DOMAIN_IDS = {
    "SAF-01",
    "SAF-02",
    "SAF-03",
    "VIC-01",
    "INC-01",
    "INC-02",
    "INC-03",
    "DIS-01",
    "SRV-01",
    "TRU-01",
    "ID-01",
    "COH-01",
    "MIS-01",
    "MIS-02",
    "MIS-03",
    "MIS-04",
}

GOOD = {
    "id": "TST-01",
    "name": {"en": "Test indicator", "fr": "Indicateur test"},
    "short_name": {"en": "Test", "fr": "Test"},
    "description": {"en": "A test.", "fr": "Un test."},
    "domain": "security",
    "sdg": None,
    "source": "Test",
    "sg_section": "security",
    "kind": "proportion",
    "polarity": "up",
    "items": ["safe_day"],
    "scoring": {"success": [1, 2], "exclude": [98, 99], "count_as_failure": []},
}


def write(folder: Path, raw: dict, name: str = "TST-01.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def with_(**changes: object) -> dict:
    raw = {k: (dict(v) if isinstance(v, dict) else v) for k, v in GOOD.items()}
    for key, value in changes.items():
        if "__" in key:
            outer, inner = key.split("__")
            raw[outer] = dict(raw[outer])
            if value is None:
                raw[outer].pop(inner, None)
            else:
                raw[outer][inner] = value
        elif value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


# --------------------------------------------------------------------------------------------
# The standard catalogue


def test_standard_catalogue_has_every_domain_indicator() -> None:
    cat = load_catalogue()
    assert isinstance(cat, Catalogue)
    assert set(cat.ids) == DOMAIN_IDS | {"PAR-RQI"}
    assert len(cat) == len(list(DEFINITIONS_DIR.glob("*.yaml")))
    assert all(isinstance(i, Indicator) for i in cat)
    assert cat["PAR-RQI"].data == "interviews"
    assert {i.id for i in cat.survey()} == DOMAIN_IDS


def test_each_standard_file_is_one_valid_definition(tmp_path: Path) -> None:
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert raw["id"] == path.stem
        if raw.get("components"):
            continue  # needs its components: checked with the whole catalogue
        one = load_catalogue(path, standard=False)
        assert one.ids == (raw["id"],)
        assert one[raw["id"]].name["fr"] and one[raw["id"]].short_name["fr"]


def test_measures_expand_variants() -> None:
    cat = load_catalogue()
    ids = [m.id for m in cat.measures()]
    assert [i for i in ids if i.startswith("TRU-01")] == [
        "TRU-01.police",
        "TRU-01.courts",
        "TRU-01.local_admin",
        "TRU-01.army",
    ]
    assert [i for i in ids if i.startswith("SRV-01")] == [
        "SRV-01.health",
        "SRV-01.education",
        "SRV-01.admin",
    ]
    dis = [i for i in ids if i.startswith("DIS-01")]
    assert dis[0] == "DIS-01" and len(dis) == 10 and "DIS-01.ethnicity" in dis
    assert "PAR-RQI" not in ids and "PAR-RQI" in [m.id for m in cat.measures(data=None)]
    assert cat.measure("TRU-01.police").item == "trust_police"
    assert cat.measure("DIS-01.ethnicity").success == ("ethnicity",)
    assert cat.measure("DIS-01.ethnicity").name("fr") == (
        "Se sont senti(e)s victimes de discrimination ou de harcèlement: Ethnie ou tribu"
    )
    with pytest.raises(KeyError, match=r"TRU-01\.police"):
        cat.measure("TRU-01.polce")


def test_scoring_rules_follow_domain_table() -> None:
    cat = load_catalogue()
    saf = cat["SAF-01"].scoring
    assert saf.success == (1, 2) and saf.exclude == (98, 99) and saf.count_as_failure == (7,)
    assert cat["INC-01"].scoring.success == (3, 4, 5) and cat["INC-01"].scoring.exclude == (98, 99)
    assert cat["VIC-01"].scoring.universe is not None
    assert cat["VIC-01"].scoring.universe.terms == (("victim", "==", 1),)
    assert cat["TRU-01"].scoring.success == (2, 3)
    assert cat["ID-01"].scoring.success == (3, 4, 5)
    assert cat["COH-01"].scoring.success == (2, 3) and cat["COH-01"].polarity == "down"
    assert cat["DIS-01"].polarity == "down"
    assert cat["SRV-01"].scoring.exclude == (97, 98, 99)
    assert cat["INC-03"].components == ("INC-01", "INC-02")
    assert cat["INC-03"].kind == "mean_of_indicators"
    assert cat["SAF-01"].sdg == "16.1.4" and cat["VIC-01"].sdg == "16.3.1"


def test_version_is_a_stable_content_hash(tmp_path: Path) -> None:
    a, b = load_catalogue(), load_catalogue()
    assert a.version == b.version and len(a.version) == 64 and a.sha256 == a.version
    # same definitions, other layout and comments: same version
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in DEFINITIONS_DIR.glob("*.yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = "# reformatted\n" + yaml.safe_dump(raw, allow_unicode=True, sort_keys=True)
        (copy / f"x_{path.name}").write_text(text, encoding="utf-8")
    assert load_catalogue(copy, standard=False).version == a.version
    # a change of meaning changes it
    saf = yaml.safe_load((copy / "x_SAF-01.yaml").read_text(encoding="utf-8"))
    saf["scoring"]["success"] = [1]
    write(copy, saf, "x_SAF-01.yaml")
    assert load_catalogue(copy, standard=False).version != a.version


def test_user_definitions_add_to_the_standard_set(tmp_path: Path) -> None:
    write(tmp_path / "mine", GOOD)
    cat = load_catalogue(tmp_path / "mine")
    assert "TST-01" in cat and "SAF-01" in cat and len(cat) == len(load_catalogue()) + 1
    alone = load_catalogue(tmp_path / "mine" / "TST-01.yaml", standard=False)
    assert alone.ids == ("TST-01",)
    assert cat.version != load_catalogue().version


def test_select_keeps_components_and_public_api() -> None:
    cat = mande.load_catalogue()
    sub = cat.select(["INC-03"])
    assert sub.ids == ("INC-01", "INC-02", "INC-03")
    assert isinstance(sub, mande.Catalogue) and isinstance(sub["INC-01"], mande.Indicator)
    frame = cat.to_frame(lang="fr")
    assert len(frame) == len(cat.measures(data=None))
    row = frame.set_index("indicator_id").loc["TRU-01.army"]
    assert row["name"] == "Confiance dans les institutions de l'État: Armée nationale"
    assert row["items"] == "trust_army" and row["sg_section"] == "state_authority"


# --------------------------------------------------------------------------------------------
# Bad definitions fail on load, naming the file, the field and the fix


BAD = [
    pytest.param(
        with_(items=["safe_dak"]),
        "items[0]",
        "unknown item 'safe_dak'; did you mean 'safe_dark'",
        id="unknown-item",
    ),
    pytest.param(
        with_(scoring__success=[1, 5]),
        "scoring.success",
        "code 5 is not a code of item 'safe_day'",
        id="unknown-code",
    ),
    pytest.param(
        with_(name=None), "name", "missing; every definition needs 'name'", id="missing-name"
    ),
    pytest.param(
        with_(scoring=None), "scoring", "missing; a proportion needs", id="missing-scoring"
    ),
    pytest.param(with_(kind="percentage"), "kind", "unknown kind 'percentage'", id="bad-kind"),
    pytest.param(
        with_(polarity="higher"), "polarity", "unknown polarity 'higher'", id="bad-polarity"
    ),
    pytest.param(
        with_(sg_section="securty"), "sg_section", "did you mean 'security'", id="bad-section"
    ),
    pytest.param(
        with_(scoring__exclude=[98]),
        "scoring.exclude",
        "non-substantive code 99 (Refused) but the scoring does not place it",
        id="unplaced-code",
    ),
    pytest.param(
        with_(scoring__exclude=[1, 98, 99]),
        "scoring.exclude",
        "in both scoring.success and scoring.exclude",
        id="code-twice",
    ),
    pytest.param(with_(polarty="up"), "polarty", "did you mean 'polarity'", id="unknown-field"),
    pytest.param(
        with_(scoring__universe="victm == 1"),
        "scoring.universe",
        "unknown column 'victm'; did you mean 'victim'",
        id="universe-column",
    ),
    pytest.param(
        with_(scoring__universe="victim == 3"),
        "scoring.universe",
        "code 3 is not a code of item 'victim'",
        id="universe-code",
    ),
    pytest.param(
        with_(scoring__success=[True]), "scoring.success", "YAML reads yes/no", id="boolean-code"
    ),
    pytest.param(with_(sdg=16.1), "sdg", 'in quotes such as "16.1.4"', id="sdg-number"),
    pytest.param(
        with_(items=["trust_police", "trust_army"], scoring__success=[2, 3]),
        "variants",
        "give one variant per item",
        id="multi-item-without-variants",
    ),
    pytest.param(
        with_(kind="mean_of_indicators", items=None, scoring={}, components=["INC-01", "INC-9"]),
        "components[1]",
        "unknown indicator 'INC-9'",
        id="unknown-component",
    ),
    pytest.param(
        with_(kind="mean_of_indicators", items=None, scoring={}, components=["INC-01", "TRU-01"]),
        "components[1]",
        "name one: TRU-01.police",
        id="component-with-variants",
    ),
]


@pytest.mark.parametrize(("raw", "field", "message"), BAD)
def test_bad_definition_names_file_field_and_fix(
    tmp_path: Path, raw: dict, field: str, message: str
) -> None:
    path = write(tmp_path, raw)
    with pytest.raises(DefinitionError) as info:
        load_catalogue(tmp_path)
    err = info.value
    assert err.path == str(path)
    assert err.field == field
    assert str(path) in str(err) and f"field '{field}'" in str(err)
    assert message in str(err)


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    path = write(tmp_path, with_(id="SAF-01"), "my_safety.yaml")
    with pytest.raises(DefinitionError) as info:
        load_catalogue(tmp_path)
    assert info.value.path == str(path) and info.value.field == "id"
    assert "already defined in" in str(info.value) and "SAF-01.yaml" in str(info.value)


def test_yaml_syntax_error_and_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: TST-01\nname: {en: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"broken\.yaml: not valid YAML at line"):
        load_catalogue(path, standard=False)
    with pytest.raises(DefinitionError, match="no such file or folder"):
        load_catalogue(tmp_path / "nowhere")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="expected a mapping of fields"):
        load_catalogue(tmp_path / "list.yaml", standard=False)


def test_standard_definitions_copied_and_broken_fail_with_their_file(tmp_path: Path) -> None:
    folder = tmp_path / "defs"
    shutil.copytree(DEFINITIONS_DIR, folder)
    raw = yaml.safe_load((folder / "TRU-01.yaml").read_text(encoding="utf-8"))
    raw["variants"][1]["item"] = "trust_court"
    write(folder, raw, "TRU-01.yaml")
    with pytest.raises(DefinitionError) as info:
        load_catalogue(folder, standard=False)
    assert info.value.path == str(folder / "TRU-01.yaml")
    assert info.value.field == "variants[1].item"
    assert "did you mean 'trust_courts'" in str(info.value)


def test_readme_example_definition_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Indicators")
    block = readme[start:].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "TRU-02.yaml").write_text(block, encoding="utf-8")
    cat = load_catalogue(tmp_path)
    assert cat["TRU-02"].scoring.success == (3,) and "TRU-01" in cat


def test_cli_lists_and_checks_definitions(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mande.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["indicators", "list", "--lang", "fr"])
    assert listed.exit_code == 0
    assert "TRU-01.army" in listed.output and "Armée nationale" in listed.output
    write(tmp_path, GOOD)
    checked = runner.invoke(app, ["indicators", "check", str(tmp_path)])
    assert checked.exit_code == 0 and "OK: 1 definitions valid (TST-01)" in checked.output
    write(tmp_path, with_(items=["safe_dak"]))
    failed = runner.invoke(app, ["indicators", "check", str(tmp_path)])
    assert failed.exit_code == 1 and "did you mean 'safe_dark'" in failed.output


def test_a_file_with_three_mistakes_reports_all_three(tmp_path: Path) -> None:
    """A misspelt field, a choice that is not one, an unknown item: one load names all three,
    each with its field and its fix (keeping the "did you mean" hints)."""
    raw = copy.deepcopy(GOOD)
    raw["polarty"] = raw.pop("polarity")  # misspelt field
    raw["kind"] = "proportions"  # not a kind
    raw["items"] = ["safe_dak"]  # not a standard item
    path = write(tmp_path, raw)
    with pytest.raises(DefinitionError) as info:
        load_catalogue(tmp_path)
    err = info.value
    assert err.path == str(path) and str(path) in str(err)
    by_field = {p.column: p.message for p in err.problems}
    assert set(by_field) == {"polarty", "kind", "items[0]"}, by_field
    assert "did you mean 'polarity'" in by_field["polarty"]
    assert "did you mean 'proportion'" in by_field["kind"]
    assert "did you mean 'safe_dark'" in by_field["items[0]"]
    assert "3 problems" in str(err)
    for f in ("polarty", "kind", "items[0]"):
        assert f"field '{f}'" in str(err)

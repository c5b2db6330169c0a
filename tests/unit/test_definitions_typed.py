"""The typed definitions layer: the partner rubric and the standard items as pydantic models, each
file's problems reported all at once with field and fix, and definitions read once per file state."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from mande.errors import DefinitionError
from mande.partners.rubric import RUBRIC_PATH, check_rubric, load_rubric


def _rubric_raw() -> dict:
    return yaml.safe_load(RUBRIC_PATH.read_text(encoding="utf-8"))


def test_the_shipped_rubric_is_sound() -> None:
    assert check_rubric(_rubric_raw()) == []
    rubric = load_rubric()
    assert rubric.rqi_dimensions == ("trust", "mutual_benefit", "cooperation")
    assert rubric.scale == (1, 2, 3, 4, 5)
    assert rubric.column("trust").header["en"] == "Trust (1-5)"


def test_a_rubric_with_three_mistakes_reports_all_three(tmp_path: Path) -> None:
    raw = _rubric_raw()
    raw["rqi"]["dimensions"] = ["trust", "mutual_benefits", "cooperation"]  # misspelt dimension
    del raw["dimensions"]["communication"]["anchors"][4]  # anchors no longer cover 1..5
    raw["partner_types"]["ingo"]["lable"] = "x"  # unknown field
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_rubric(path)
    fields = {p.column for p in err.value.problems}
    assert fields == {
        "rqi.dimensions[1]",
        "dimensions.communication.anchors",
        "partner_types.ingo.lable",
    }
    text = str(err.value)
    assert str(path) in text
    assert "did you mean 'mutual_benefit'" in text
    assert "missing [4]" in text
    assert "3 problems" in text


def test_rubric_cross_references(tmp_path: Path) -> None:
    raw = _rubric_raw()
    raw["columns"] = [c for c in raw["columns"] if c["name"] != "impartiality"]
    raw["columns"].append({"name": "acceptence", "dimension": True})
    raw["partner_types"]["ngo2"] = {"en": "International NGO", "fr": "Autre"}
    raw["yes_no"] = {True: {"en": "yes", "fr": "oui"}, "no": {"en": "no", "fr": "non"}}
    raw["scale"]["max"] = 0
    by_field = {p.column: p.message for p in check_rubric(raw)}
    assert "did you mean 'acceptance'" in by_field["columns[22].name"]
    assert "impartiality" in by_field["columns"]
    assert "'ingo' and 'ngo2'" in by_field["partner_types.ngo2"]
    assert "yes_no" in next(iter(k for k in by_field if k.startswith("yes_no")))
    assert "max 0 <= min 1" in by_field["scale.max"]


def test_a_partner_type_written_twice_is_reported(tmp_path: Path) -> None:
    text = RUBRIC_PATH.read_text(encoding="utf-8").replace(
        "  ingo: {", '  ingo: {en: "x", fr: "y"}\n  ingo: {', 1
    )
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_rubric(path)
    assert [p.code for p in err.value.problems] == ["duplicate_key"]
    assert "'ingo' is written twice" in str(err.value)


def test_the_rubric_is_read_once_per_file_state(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yaml"
    path.write_text(RUBRIC_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    first = load_rubric(path)
    assert load_rubric(path) is first
    raw = _rubric_raw()
    raw["version"] = 2
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    second = load_rubric(path)
    assert second is not first and second.version == 2
    assert load_rubric() is load_rubric(RUBRIC_PATH)


def _items_raw() -> dict:
    from mande.indicators.items import ITEMS_PATH

    return yaml.safe_load(ITEMS_PATH.read_text(encoding="utf-8"))


def test_the_shipped_items_are_sound() -> None:
    from mande.indicators.items import check_items, standard_items

    assert check_items(_items_raw()) == []
    items = standard_items()
    assert items.breakdown_names == (
        "sex", "age_group", "region", "urban_rural", "displacement", "disability",
    )  # fmt: skip
    assert items["safe_dark"].codes == (1, 2, 3, 4, 7, 98, 99)
    assert items["age"].range == (18, 110)
    assert items.breakdown_label("sex", "fr") == "Sexe"
    assert items.derived["age_group"]["from"] == "age"


def test_an_items_file_with_three_mistakes_reports_all_three(tmp_path: Path) -> None:
    from mande.indicators.items import standard_items

    raw = _items_raw()
    raw["items"]["safe_day"]["scale"] = "safty"  # misspelt scale
    raw["items"]["victim"]["kind"] = "select_once"  # not a kind
    raw["reported_breakdowns"]["sex"]["groups"]["femmes"] = {"en": "Women"}  # not a code of sex
    path = tmp_path / "items.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        standard_items(path)
    fields = {p.column for p in err.value.problems}
    assert fields == {
        "items.safe_day.scale",
        "items.victim.kind",
        "reported_breakdowns.sex.groups.femmes",
    }
    text = str(err.value)
    assert str(path) in text and "3 problems" in text
    assert "did you mean 'safety'" in text
    assert "did you mean 'select_one'" in text
    assert "did you mean 'female'" in text


def test_items_cross_references() -> None:
    from mande.indicators.items import check_items

    raw = _items_raw()
    raw["items"]["victim_reported"]["relevant"] = "victm == 1"
    raw["items"]["safe_dark"]["non_substantive"] = [7, 96]
    raw["derived_breakdowns"]["age_group"]["from"] = "ag"
    raw["reported_breakdowns"]["sexe"] = raw["reported_breakdowns"].pop("sex")
    raw["items"]["discrimination"]["exclusive"] = ["none", "dont_know"]
    by_field = {p.column: p.message for p in check_items(raw)}
    assert "did you mean 'victim'" in by_field["items.victim_reported.relevant"]
    assert "96" in by_field["items.safe_dark.non_substantive[1]"]
    assert "did you mean 'age'" in by_field["derived_breakdowns.age_group.from"]
    assert "did you mean 'sex'" in by_field["reported_breakdowns.sexe"]
    assert "dont_know" in by_field["items.discrimination.exclusive[1]"]
    assert len(by_field) == 5


def test_catalogue_and_mission_are_read_once_per_file_content(tmp_path: Path) -> None:
    import shutil

    from mande.config import load_mission
    from mande.indicators.catalogue import load_catalogue

    assert load_catalogue() is load_catalogue()
    mission = Path(__file__).parents[2] / "sample_data" / "mission.yaml"
    path = tmp_path / "mission.yaml"
    shutil.copy(mission, path)
    first = load_mission(path)
    assert load_mission(path) is first
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n# edited\n", encoding="utf-8")
    second = load_mission(path)
    assert second is not first and second.regions == first.regions


def test_derived_breakdowns_are_read_from_items_yaml() -> None:
    from mande.indicators.items import standard_items
    from mande.ingest.survey import AGE_GROUPS, WG_ITEMS

    items = standard_items()
    assert tuple(items.derived["age_group"]["groups"]) == AGE_GROUPS
    assert items.derived_from("disability") == WG_ITEMS
    assert items.derivable(["sex", "age"]) == ("age_group",)
    assert items.derivable(["wg_walking"]) == ("disability",)
    with pytest.raises(DefinitionError, match="did you mean 'disability'"):
        items.derived_from("disabilty")

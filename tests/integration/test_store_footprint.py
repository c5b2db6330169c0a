"""Footprint uploads in the store (SQLite and PostgreSQL): versions, unchanged re-uploads, refused
files, roles, and the data version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mande import DataValidationError, PermissionDenied
from mande.store import Store


def test_deployments_and_activities_are_versioned(
    store: Store, sample_files: Path, tmp_path: Path
) -> None:
    store.as_user("admin1", "admin").set_mission(sample_files / "mission.yaml")
    dep = sample_files / "footprint" / "deployments.xlsx"
    before = store.data_version()
    first = store.ingest_footprint(dep, "deployments")
    assert (first.status, first.kind, first.label, first.version, first.n_rows) == (
        "created", "deployments", "deployments", 1, 12,
    )  # fmt: skip
    assert store.data_version() != before
    again = store.ingest_footprint(dep, "deployments")
    assert again.status == "unchanged" and again.version == 1
    # another file for the same label is a new version, the old one kept
    copy = tmp_path / "deployments.csv"
    frame = store.footprint("deployments").drop(columns="label")
    frame.head(10).to_csv(copy, index=False)
    second = store.ingest_footprint(copy, "deployments")
    assert second.version == 2
    versions = store.footprint_versions("deployments")
    assert versions["version"].tolist() == [1, 2] and versions["current"].tolist() == [False, True]
    current = store.footprint("deployments")
    assert len(current) == 10 and str(current["start"].iloc[0]) == "2021-04-01"
    act = store.ingest_footprint(sample_files / "footprint" / "activities.csv", "activities")
    assert act.kind == "activities" and act.n_rows > 6000
    assert store.footprint("activities")["type"].isin(["patrol", "meeting", "qip"]).all()


def test_a_refused_file_writes_nothing_and_a_viewer_cannot_upload(
    store: Store, sample_files: Path, tmp_path: Path
) -> None:
    store.as_user("admin1", "admin").set_mission(sample_files / "mission.yaml")
    bad = tmp_path / "deployments.csv"
    bad.write_text("site,start,latitude,longitude\nX,2025-01-01,95,20\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="latitude"):
        store.ingest_footprint(bad, "deployments")
    assert store.footprint("deployments").empty
    viewer = store.as_user("v", "viewer")
    with pytest.raises(PermissionDenied):
        viewer.ingest_footprint(sample_files / "footprint" / "deployments.xlsx", "deployments")
    assert store.footprint("deployments").empty
    copy = tmp_path / "d.xlsx"
    shutil.copyfile(sample_files / "footprint" / "deployments.xlsx", copy)
    with pytest.raises(DataValidationError, match="column 'date' not found"):
        store.ingest_footprint(copy, "activities", label="deployments")


def test_history_lists_footprint_uploads(store: Store, sample_files: Path) -> None:
    store.as_user("admin1", "admin").set_mission(sample_files / "mission.yaml")
    store.ingest_footprint(sample_files / "footprint" / "deployments.xlsx", "deployments")
    hist = store.history()
    row = hist[hist["kind"] == "deployments"].iloc[0]
    assert row["version"] == 1 and row["file_name"] == "deployments.xlsx"

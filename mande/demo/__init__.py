"""The fictional sample mission (MINUSVA, in Valdoria): a generator with a fixed seed.

:func:`generate` writes the whole of ``sample_data/`` except ``mission.yaml`` (which it reads): the
standard XLSForm, four perception-survey rounds exported as KoboToolbox exports them, the regions'
polygons, and the partner-interview coding sheets. The same seed writes the same files.
``sample_data/README.md`` documents every file and column and the true values the data are drawn
from.
"""

from __future__ import annotations

from pathlib import Path

from mande.config import MissionConfig, load_mission

__all__ = ["DEFAULT_SEED", "MISSION_PATH", "generate"]

DEFAULT_SEED = 20241101
MISSION_PATH = Path(__file__).with_name("mission.yaml")
"""The sample mission's configuration, shipped with mande (a copy of ``sample_data/mission.yaml``)."""


def generate(
    out_dir: Path, seed: int = DEFAULT_SEED, mission: MissionConfig | Path | None = None
) -> list[Path]:
    """Write the sample mission's files into ``out_dir`` and return their paths.

    Parameters
    ----------
    out_dir:
        The folder to write (``sample_data`` in the repository). Created if missing.
    seed:
        The seed of every random draw (numpy ``default_rng``); the default gives the committed files.
    mission:
        The mission configuration. Default: ``out_dir/mission.yaml`` when it exists, else the sample
        mission shipped with mande (which is then also written to ``out_dir/mission.yaml``).

    Returns
    -------
    list of Path
        Every file written: ``forms/perception_survey.xlsx``, ``rounds/round*``,
        ``regions.geojson``, ``frame.csv`` (the villages), the partner-interview coding sheets,
        then the footprint (``footprint/deployments.xlsx``, ``footprint/activities.csv``).
    """
    import shutil

    from mande.demo._geo import write_regions_geojson
    from mande.demo.footprint import generate_footprint
    from mande.demo.frame import write_frame
    from mande.demo.interviews import generate_interviews
    from mande.demo.survey import generate_survey
    from mande.demo.xlsform import write_form

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if isinstance(mission, MissionConfig):
        config = mission
    else:
        path = Path(mission) if mission is not None else out_dir / "mission.yaml"
        if not path.exists() and mission is None:
            shutil.copyfile(MISSION_PATH, path)
            written.append(path)
        config = load_mission(path)
    written.append(write_form(out_dir / "forms" / "perception_survey.xlsx", config))
    written += generate_survey(out_dir, config, seed)
    written.append(write_regions_geojson(out_dir / "regions.geojson", config))
    written.append(write_frame(out_dir, config, seed))
    written += generate_interviews(out_dir, config, seed)
    written += generate_footprint(out_dir, config, seed)
    return written

"""Settings from the environment and the secrets file, so the operator configures the app without touching code."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"


@dataclass(frozen=True)
class Settings:
    """What the operator may set: where the data lives, the suppression limit and the map tiles.

    Who sees internal material is no setting: it follows the signed-in person's role (lagesbild.auth).
    """

    database: str = str(ROOT / "lagesbild.sqlite")
    min_answers: int = 41
    tiles: str = "OpenStreetMap"


def load_settings(environ: Mapping[str, str] | None = None, secrets: Mapping | None = None) -> Settings:
    """Settings from LAGESBILD_* environment variables, then the secrets' [databas] url, then defaults."""
    env = os.environ if environ is None else environ
    default = Settings()
    section = (secrets or {}).get("databas") or {}
    database = env.get("LAGESBILD_DATABASE") or (section.get("url") if isinstance(section, Mapping) else None)
    return Settings(
        database=database or default.database,
        min_answers=int(env.get("LAGESBILD_MIN_ANSWERS", default.min_answers)),
        tiles=env.get("LAGESBILD_TILES", default.tiles),
    )

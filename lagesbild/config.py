"""Settings from the environment, so the operator configures the app without touching code."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"


@dataclass(frozen=True)
class Settings:
    """What the operator may set: where the data lives, the suppression limit, internal view, map tiles."""

    database: str = str(ROOT / "lagesbild.sqlite")
    min_answers: int = 41
    show_internal: bool = False
    tiles: str = "OpenStreetMap"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from LAGESBILD_* environment variables, defaults for the rest."""
    env = os.environ if environ is None else environ
    default = Settings()
    return Settings(
        database=env.get("LAGESBILD_DATABASE", default.database),
        min_answers=int(env.get("LAGESBILD_MIN_ANSWERS", default.min_answers)),
        show_internal=env.get("LAGESBILD_SHOW_INTERNAL", "").strip().lower() in ("1", "ja", "true", "yes"),
        tiles=env.get("LAGESBILD_TILES", default.tiles),
    )

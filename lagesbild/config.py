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
    """What the operator may set: where the data lives, the suppression limit, the map tiles and whose lägesbild it is.

    Who sees internal material is no setting: it follows the signed-in person's role (lagesbild.auth).
    """

    database: str = str(ROOT / "lagesbild.sqlite")
    min_answers: int = 41
    tiles: str = "OpenStreetMap"
    area: str = "Norrmalm"  # the district the council serves: headlines, pledges without an area, page texts
    council: str = "Norrmalms trygghets- och säkerhetsråd"


def load_settings(environ: Mapping[str, str] | None = None, secrets: Mapping | None = None) -> Settings:
    """Settings from LAGESBILD_* environment variables, then the secrets' [databas] url and [rad], then defaults."""
    env = os.environ if environ is None else environ
    default = Settings()
    database = env.get("LAGESBILD_DATABASE") or _secret(secrets, "databas", "url")
    return Settings(
        database=database or default.database,
        min_answers=int(env.get("LAGESBILD_MIN_ANSWERS", default.min_answers)),
        tiles=env.get("LAGESBILD_TILES", default.tiles),
        area=env.get("LAGESBILD_AREA") or _secret(secrets, "rad", "omrade") or default.area,
        council=env.get("LAGESBILD_COUNCIL") or _secret(secrets, "rad", "namn") or default.council,
    )


def _secret(secrets: Mapping | None, section: str, key: str) -> str | None:
    # A missing or malformed section is no setting: the default applies.
    values = (secrets or {}).get(section) or {}
    found = values.get(key) if isinstance(values, Mapping) else None
    return str(found).strip() or None if found is not None else None

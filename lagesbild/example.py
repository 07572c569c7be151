"""Load the example data in data/ (the council meeting of 14 December 2016) into a database."""
from __future__ import annotations

from pathlib import Path

from . import agenda, areas, cooperation, db, pledges, places, surveys
from .config import DATA_DIR
from .db import EXAMPLE_LOCK, open_database  # noqa: F401 - kept importable from here; they live in db


def load_example(conn, folder: Path = DATA_DIR) -> None:
    """Insert every example file inside the caller's transaction, each registered as example data."""
    def read(name: str) -> bytes:
        return (folder / name).read_bytes()

    def dataset(kind: str, name: str, rows: int) -> int:
        return db.add_dataset(conn, kind, name, rows, is_example=True)

    forums = cooperation.read_forums("forum.csv", read("forum.csv"))
    cooperation.store_forums(conn, forums, dataset("samverkan", "forum.csv", len(forums)))
    meetings = cooperation.read_meetings("moten.csv", read("moten.csv"))
    cooperation.store_meetings(conn, meetings, dataset("samverkan", "moten.csv", len(meetings)), "moten.csv")

    place_frame = places.read_places("platser.csv", read("platser.csv"))
    places.store_places(conn, place_frame, dataset("platser", "platser.csv", len(place_frame)), "platser.csv")
    observations = places.read_observations("observationer.csv", read("observationer.csv"))
    places.store_observations(conn, observations, dataset("platser", "observationer.csv", len(observations)),
                              "observationer.csv")
    actions = places.read_actions("atgarder.csv", read("atgarder.csv"))
    places.store_actions(conn, actions, dataset("platser", "atgarder.csv", len(actions)), "atgarder.csv")

    pledge_frame = pledges.read_pledges("medborgarloften.csv", read("medborgarloften.csv"))
    pledges.store_pledges(conn, pledge_frame, dataset("medborgarlöften", "medborgarloften.csv", len(pledge_frame)))
    progress = pledges.read_progress("loften_framsteg.csv", read("loften_framsteg.csv"))
    pledges.store_progress(conn, progress, dataset("medborgarlöften", "loften_framsteg.csv", len(progress)),
                           "loften_framsteg.csv")

    indicators = surveys.read_indicators("indikatorer.csv", read("indikatorer.csv"))
    surveys.store_indicators(conn, indicators, dataset("undersökningar", "indikatorer.csv", len(indicators)))
    for name in ("medborgarundersokningen.csv", "stockholmsenkaten.csv"):
        extract = surveys.read_extract(name, read(name))
        surveys.store_extract(conn, extract, dataset("undersökningar", name, len(extract.results)))

    boundary = areas.read_boundaries("norrmalm.geojson", read("norrmalm.geojson"))
    areas.store_boundaries(conn, boundary, "Förenklad gräns (exempeldata)",
                           dataset("områdesgränser", "norrmalm.geojson", len(boundary)))
    # After Norrmalm, so that Norrmalm stays the first stored boundary (the Karta page's default area).
    rough = areas.read_boundaries("stadsdelsomraden_exempel.geojson", read("stadsdelsomraden_exempel.geojson"))
    areas.store_boundaries(conn, rough, "Förenklade gränser, exempeldata",
                           dataset("områdesgränser", "stadsdelsomraden_exempel.geojson", len(rough)))

    agenda_frame = agenda.read_agenda("dagordning.csv", read("dagordning.csv"))
    agenda.store_agenda(conn, agenda_frame, dataset("dagordning", "dagordning.csv", len(agenda_frame)),
                        "dagordning.csv")

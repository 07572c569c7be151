"""A database that looks lived-in: every kind of record, edits, removals, restores, a locked snapshot, many rows.

Built through the data layer exactly as the pages write, so every audit kind (ny, ändrad, import,
borttagen, återställd, låst) is in the trail with NULL before or after where a real one has them.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from lagesbild import agenda, audit, cooperation, places, pledges, snapshots
from lagesbild.views.deck import build_deck
from lagesbild.audit import Actor

EDITOR = Actor("anna.andersson", "redaktör")
ADMIN = Actor("admin.norrmalm", "administratör")
# Dates inside the example's world, and within the last year for the "today"-based pages.
TODAY = dt.date.today()
RECENT = TODAY - dt.timedelta(days=20)
PLEDGE_DAY = dt.date(2017, 3, 1)  # the example pledges are 2017's
MANY = 1500  # imported observations: enough to make a slow page or a wide log show


def _observations_csv(rows: int) -> bytes:
    names = ["Vasaparken", "Odenplan", "Sergels torg", "Klarabergsgatan", "Jarlaplan"]
    categories = list(places.CATEGORIES)
    lines = ["plats;datum;kategori;organisation;beskrivning;sekretess"]
    for n in range(rows):
        day = TODAY - dt.timedelta(days=1 + n % 700)
        secrecy = "intern" if n % 7 == 0 else "öppen"
        lines.append(f"{names[n % len(names)]};{day.isoformat()};{categories[n % len(categories)]};"
                     f"Polisen;Iakttagelse nummer {n} vid kvällstid.;{secrecy}")
    return ("\n".join(lines) + "\n").encode()


def build_lived_in(engine: Engine, many: int = MANY) -> dict[str, int]:
    """Write every kind of record into an engine that holds the example data; returns the ids worth knowing."""
    ids: dict[str, int] = {}
    # New records (audit "ny": before is NULL).
    ids["place"] = places.add_place(engine, "Tegnérlunden", 59.33786, 18.05865, "Norrmalm", None, "ny", None,
                                    "Nyinrättad plats.", RECENT + dt.timedelta(days=60), "Trygghetsvandring.",
                                    by=EDITOR)
    ids["observation"] = places.add_observation(engine, "Tegnérlunden", RECENT, "ungdomar", "Fältassistenterna",
                                                "Grupp unga samlas sent på kvällen.", "öppen", by=EDITOR)
    ids["internal_observation"] = places.add_observation(engine, "Tegnérlunden", RECENT, "alkohol/narkotika", "Polisen",
                                                         "Planerad insats mot försäljning.", "intern", by=EDITOR)
    ids["point_observation"] = places.add_observation(engine, "Sergels torg", RECENT, "bosättningar/sovplatser",
                                                      "Trafikkontoret", "Sovplats under trappan.", "öppen",
                                                      59.3322, 18.0641, by=EDITOR)
    ids["action"] = places.add_action(engine, "Tegnérlunden", RECENT, "Stadsdelsförvaltningen",
                                      "Belysningen förstärkt.", "genomförd", "öppen", by=EDITOR)
    ids["planned_action"] = places.add_action(engine, "Odenplan", TODAY + dt.timedelta(days=14), "Polisen",
                                              "Riktad kontroll.", "planerad", "intern", by=EDITOR)
    pledge_ids = list(pledges.load_pledges(engine)["id"])
    ids["progress"] = pledges.add_progress(engine, int(pledge_ids[0]), PLEDGE_DAY, "Riktad insats mot nätverk.", 1,
                                           "öppen", TODAY, by=EDITOR)
    ids["internal_progress"] = pledges.add_progress(engine, int(pledge_ids[1]), PLEDGE_DAY, "Förberedd insats.", 2,
                                                    "intern", TODAY, by=EDITOR)
    ids["meeting"] = cooperation.add_meeting(engine, "klara", RECENT, "Genomgång av läget i Klara.",
                                             "Nästa möte i samma form.", "öppen", TODAY, by=EDITOR)
    ids["internal_meeting"] = cooperation.add_meeting(engine, "radet", RECENT, "Intern planering.", "",
                                                      "intern", TODAY, by=EDITOR)
    ids["answer"] = agenda.add_answer(engine, TODAY, "SL", "Lugnt i tunnelbanan.", "Färre larm.", "Belysning.",
                                      dt.datetime.now(), by=EDITOR)
    # Edits (audit "ändrad": before and after).
    places.update_place(engine, "Vasaparken", "pågående", "Insatser pågår kvällstid.", RECENT + dt.timedelta(days=30),
                        "Följ upp i beredningsgruppen.", by=EDITOR)
    places.update_place(engine, "Tegnérlunden", "bevakas", "Lugnare efter belysningen.", None, "", by=EDITOR)
    places.update_observation(engine, ids["observation"], 1, RECENT, "ungdomar", "Fältassistenterna",
                              "Grupp unga samlas sent på kvällen, lugnare nu.", "öppen", by=EDITOR)
    agenda.save_agenda(engine, agenda.load_agenda(engine), by=EDITOR)
    # Removed and restored, and removed for good (until an administrator restores it).
    ids["restored_observation"] = places.add_observation(engine, "Odenplan", RECENT, "annat", "SL",
                                                         "Klotter i uppgången.", "öppen", by=EDITOR)
    audit.remove(engine, "observation", ids["restored_observation"], EDITOR)
    audit.restore(engine, "observation", ids["restored_observation"], ADMIN)
    ids["removed_observation"] = places.add_observation(engine, "Odenplan", RECENT, "annat", "SL",
                                                        "Felregistrerad iakttagelse.", "öppen", by=EDITOR)
    audit.remove(engine, "observation", ids["removed_observation"], EDITOR)
    audit.remove(engine, "action", ids["planned_action"], EDITOR)
    audit.remove(engine, "meeting", ids["internal_meeting"], EDITOR)
    audit.remove(engine, "pledge_progress", ids["internal_progress"], EDITOR)
    removed_place = places.add_place(engine, "Felplacerad plats", 59.335, 18.05, "Norrmalm", None, "ny", None,
                                     by=EDITOR)
    audit.remove(engine, "place", removed_place, EDITOR)
    audit.remove(engine, "round_answer", ids["answer"], EDITOR)
    audit.restore(engine, "round_answer", ids["answer"], ADMIN)
    # Many rows, imported in one go (audit "import").
    frame = places.read_observations("iakttagelser.csv", _observations_csv(many))
    places.import_observations(engine, "iakttagelser.csv", frame, by=ADMIN)
    # A locked snapshot (audit "låst").
    deck = build_deck(engine, TODAY, 41)
    ids["snapshot"] = snapshots.lock(engine, deck, dt.datetime.now().replace(microsecond=0), by=EDITOR)
    return ids

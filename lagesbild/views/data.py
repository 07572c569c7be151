"""The Data page: what can be imported, a checked file as the page shows it, and the imported files."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from lagesbild import areas, importing, surveys, uploads
from lagesbild.problems import InputError

# Passed on to the page, which imports nothing from the data floor itself:
# InputError.

KIND_HELP = {
    None: "Slaget känns igen på filens kolumner och filändelse.",
    "undersökning": "CSV eller Excel, lång tabell (år, område, grupp, indikator, andel, antal_svar) eller bred tabell "
                    "(område, grupp, indikator och en kolumn per år, t.ex. 2015 eller 2016 (prel.)).",
    "svar": "Svar på individnivå kontrolleras här men sparas aldrig; läs in dem på sidan Trender.",
    "platser": "CSV, Excel eller GeoJSON med namn, lat/lon (eller N/E i SWEREF 99), område och status.",
    "iakttagelser": "CSV, Excel eller GeoJSON med plats, datum, kategori, organisation, beskrivning och sekretess.",
    "åtgärder": "CSV eller Excel med plats, datum, aktör, åtgärd, status och sekretess.",
    "gränser": "GeoJSON eller zippad shapefil i valfritt koordinatsystem (stadens fil är SWEREF 99 18 00).",
}
CRS_CHOICES = {None: "Avgör från filen", "EPSG:3006": "SWEREF 99 TM (EPSG:3006)",
               "EPSG:3011": "SWEREF 99 18 00 (EPSG:3011)"}
SCALE_CHOICES = {None: "Avgör från filen", "procent": "Procent (65,2)", "bråk": "Bråk (0,652)"}
SURVEY_CHOICES = {None: "Anges i filen", **{key: survey.name for key, survey in surveys.SURVEY_BY_ID.items()}}
# Respondent files come as Parquet too; they are checked here and read on Trender.
FILE_TYPES = sorted(set(uploads.ACCEPTED["import"]) | {"parquet"})
DATASET_COLUMNS = {"imported_at": "Importerad", "kind": "Slag", "file_name": "Fil", "rows": "Rader",
                   "is_example": "Exempeldata"}


def kind_label(kind: str | None) -> str:
    """A kind of file as the choice lists it."""
    return "Känn igen automatiskt" if kind is None else importing.KINDS[kind][:1].upper() + importing.KINDS[kind][1:]


def name_columns(file_name: str, data: bytes) -> list[str]:
    """The columns a boundary file offers for the area's name (none for other files)."""
    if not file_name.lower().endswith((".zip", ".geojson", ".json")):
        return []
    return areas.boundary_columns(file_name, data)


def check(file_name: str, data: bytes, kind: str | None, survey: str | None, scale: str | None,
          name_column: str | None, crs: str | None, engine: Engine) -> importing.Checked:
    """The file checked against its size, type and rules; raises InputError naming every problem."""
    uploads.check_upload(file_name, data, "respondents" if file_name.lower().endswith(".parquet") else "import")
    options = importing.Options(survey=survey, scale=scale, name_column=name_column, crs=crs)
    return importing.check_file(file_name, data, kind, options, engine)


def new_names(checked: importing.Checked) -> str | None:
    """The warning about names not seen before (a misspelling becomes a new series), or None (Markdown)."""
    new = {label: names for label, names in checked.new_names.items() if names}
    if not new:
        return None
    return ("**Nya namn som inte finns sedan tidigare** – kontrollera stavningen; ett stavfel blir en ny serie:\n\n"
            + "\n".join(f"- nya {label}: {', '.join(names)}" for label, names in new.items()))


def confirm_label(checked: importing.Checked) -> str:
    """The check box that confirms the import has been looked at."""
    return "Jag har sett vad importen ändrar" + (" och de nya namnen" if new_names(checked) else "")


def save(engine: Engine, checked: importing.Checked, by) -> str:
    """Store the checked file and return what was saved, in Swedish."""
    return importing.save(engine, checked, by)


def datasets_table(datasets: pd.DataFrame) -> pd.DataFrame:
    """The imported files with Swedish headings."""
    return datasets.rename(columns=DATASET_COLUMNS)

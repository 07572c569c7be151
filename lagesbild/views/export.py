"""What leaves the app: tables for Swedish Excel (CSV and .xlsx), charts as PNG/SVG, user text made inert.

Missing values stay what the source says (".." with its reason), never 0 or an empty cell; text that
Excel would run as a formula (= + - @) is neutralised; Markdown in typed text is escaped for the page.
"""
from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
from collections.abc import Sequence

import altair as alt
import pandas as pd

from ..formatting import FORMULA_START, formula_safe, number, percent
from ..stats import Trend, missing_reason, shown_marker

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SHARE = "Andel (%)"
LOW = "Konfidensintervall 95 %, nedre (%)"
HIGH = "Konfidensintervall 95 %, övre (%)"
ANSWERS = "Antal svar"
EFFECTIVE = "Effektivt antal svar"
NOTE = "Anmärkning"


def file_stem(*parts: str) -> str:
    """A file name stem that survives every system: 'trend_stockholmsenkaten_trygg_ute_sent_norrmalm'."""
    def clean(part: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", part.casefold()).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9_]+", "-", ascii_text).strip("-")

    return "_".join(clean(p) for p in parts if clean(p))


def _rounded(value: object, decimals: int = 1) -> object:
    return ".." if value is None or pd.isna(value) else round(float(value), decimals)


def trend_table(trend: Trend, survey_name: str, indicator_name: str) -> pd.DataFrame:
    """Exactly what the chart shows, one row per series and wave: numbers as numbers, ".." with its reason."""
    rows = []
    f = trend.frame
    for series in trend.series:
        for row in f[f["series"] == series].sort_values("year").itertuples():
            reasons = []
            if pd.isna(row.share):
                share = shown_marker(row.missing)
                reasons.append(missing_reason(row.missing, trend.min_answers))
            else:
                share = round(float(row.share), 1)
                if pd.isna(row.n):
                    reasons.append("konfidensintervall saknas: källan anger inte antal svar")
            record = {"Undersökning": survey_name, "Indikator": indicator_name, "Område": row.area,
                      "Grupp": row.grp, "År": int(row.year), SHARE: share,
                      LOW: _rounded(row.low), HIGH: _rounded(row.high),
                      ANSWERS: ".." if pd.isna(row.n) else int(row.n)}
            if trend.weighted:
                record[EFFECTIVE] = _rounded(row.n_eff, 0) if not pd.isna(row.n_eff) else ".."
                if isinstance(record[EFFECTIVE], float):
                    record[EFFECTIVE] = int(record[EFFECTIVE])
            record[NOTE] = "; ".join(r for r in reasons if r)
            rows.append(record)
    columns = ["Undersökning", "Indikator", "Område", "Grupp", "År", SHARE, LOW, HIGH, ANSWERS,
               *([EFFECTIVE] if trend.weighted else []), NOTE]
    return pd.DataFrame(rows, columns=columns)


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The export table as the page shows it: Swedish number formats, ".." kept."""
    shown = table.drop(columns=["Undersökning", "Indikator"], errors="ignore").copy()

    def cell(value: object, column: str) -> str:
        if isinstance(value, str):
            return value
        if column == "År":
            return str(value)
        if column in (ANSWERS, EFFECTIVE):
            return number(value)
        return percent(value)

    for column in shown.columns:
        shown[column] = [cell(v, column) for v in shown[column]]
    return shown.rename(columns={SHARE: "Andel", LOW: "Nedre gräns", HIGH: "Övre gräns"})


def numeric_columns(shown: pd.DataFrame) -> list[str]:
    """The columns of display_table's result that hold numbers (written as Swedish text)."""
    return [c for c in shown.columns if c in ("År", "Andel", "Nedre gräns", "Övre gräns", ANSWERS, EFFECTIVE)]


def _csv_cell(value: object) -> str:
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (f"{value:.1f}" if value == round(value, 1) else repr(value)).replace(".", ",")
    return formula_safe(str(value))


def table_csv(table: pd.DataFrame, title: Sequence[str] = (), footnotes: Sequence[str] = (),
              encoding: str = "utf-8-sig") -> bytes:
    """CSV as Swedish Excel opens it: ';', decimal comma, title rows above and footnotes below the table."""
    # "utf-8-sig" is Excel's "CSV UTF-8" (with BOM); "cp1252" its "CSV (semikolonavgränsad)", where
    # characters Windows-1252 lacks become "?".
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for line in title:
        writer.writerow([formula_safe(line)])
    if title:
        writer.writerow([])
    writer.writerow([formula_safe(str(c)) for c in table.columns])
    for values in table.itertuples(index=False):
        writer.writerow([_csv_cell(v) for v in values])
    if footnotes:
        writer.writerow([])
        for line in footnotes:
            writer.writerow([formula_safe(line)])
    text = out.getvalue()
    if encoding.replace("_", "-").lower() in ("utf-8-sig", "utf8-sig"):
        return codecs.BOM_UTF8 + text.encode("utf-8")
    return text.encode(encoding, errors="replace")


def table_xlsx(table: pd.DataFrame, title: Sequence[str] = (), footnotes: Sequence[str] = (),
               sheet: str = "Tabell") -> bytes:
    """An Excel workbook: title rows, a bold header, numbers as numbers, ".." as text, footnotes below."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]

    def put(row: int, column: int, value: object, bold: bool = False) -> None:
        cell = ws.cell(row=row, column=column)
        if isinstance(value, bool):
            value = "ja" if value else "nej"
        if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
            cell.value = value
            cell.number_format = "0" if isinstance(value, int) else "0.0"
        elif value is None or (isinstance(value, float) and math.isnan(value)):
            cell.value = None
        else:
            cell.value = str(value)
            # A string cell is never a formula, even when the text starts with "=".
            cell.data_type = "s"
            if str(value).startswith(FORMULA_START):
                cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)

    row = 1
    for index, line in enumerate(title):
        put(row, 1, line, bold=index == 0)
        row += 1
    if title:
        row += 1
    header_row = row
    for column, name in enumerate(table.columns, start=1):
        put(row, column, name, bold=True)
    for values in table.itertuples(index=False):
        row += 1
        for column, value in enumerate(values, start=1):
            put(row, column, value.item() if hasattr(value, "item") else value)
    if footnotes:
        row += 1
        for line in footnotes:
            row += 1
            put(row, 1, line)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for column, name in enumerate(table.columns, start=1):
        longest = max([len(str(name))] + [len(str(v)) for v in table.iloc[:, column - 1]])
        ws.column_dimensions[get_column_letter(column)].width = min(max(10, longest + 2), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def chart_png(chart: alt.TopLevelMixin, width: int = 1200, scale: float = 2) -> bytes:
    """The chart as a PNG for reports, `width` pixels wide before scaling."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.properties(width=width).to_dict(), scale=scale)


def chart_svg(chart: alt.TopLevelMixin, width: int = 1200) -> bytes:
    """The chart as an SVG for reports."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.properties(width=width).to_dict()).encode("utf-8")


def trend_title(trend: Trend, survey_name: str, indicator_name: str) -> list[str]:
    """Title rows for an exported table: what, where, which years."""
    waves = trend.waves
    span = "" if not waves else (f" {waves[0]}" if len(waves) == 1 else f" {waves[0]}–{waves[-1]}")
    lines = [f"{indicator_name}, {survey_name}{span}"]
    if trend.example:
        lines.append("Exempeldata – inte verkliga värden")
    return lines


def trend_footnotes(trend: Trend, source: str) -> list[str]:
    """Footnotes for an exported table, in the form official Swedish tables use."""
    lines = [f"Källa: {source}" if source else "Källa: uppgift saknas",
             "Anm.: Andel i procent med 95 % konfidensintervall (Wilson). "
             "Förändringar är statistiskt säkerställda först när testet på 5 % nivå säger det."]
    lines += [f"Anm.: {note}" for note in trend.notes()]
    if trend.example:
        lines.append("Anm.: Värdena är exempeldata, inte verkliga resultat.")
    return lines

"""The Trender page's view: what can be chosen, the chosen view (from the widgets or from a link), and everything
the page shows for it — the chart as a Vega-Lite spec, the sentences, the table and its exports.

The page keeps its filters in its address (?undersokning=…&indikator=…&omrade=…), so that a link opens exactly
that view. Anyone can type anything there: `read_link` and `resolve` turn whatever came into the nearest valid
choice, with a Swedish notice for every value that had to be replaced, and never raise.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from .. import respondents, stats, surveys, uploads
from ..areas import area_lineage
from ..config import Settings
from ..formatting import markdown_escape, number
from ..problems import InputError
from ..respondents import RespondentExtract
from ..surveys import ALL, CITY
from . import charts, districts, export

__all__ = ["InputError", "READY_VIEWS", "RespondentExtract", "Choice", "Options", "TrendView"]

# The council's own area, chosen when nothing else is asked for (the page passes settings.area).
HOME_AREA = Settings.area
READY_VIEWS = stats.READY_VIEWS
ACCEPTED_FILES = list(uploads.ACCEPTED["respondents"])

# The page's widget keys; the years slider has one per survey and indicator, so a new indicator shows all its years.
SURVEY, INDICATOR, AREA, GROUP, SPLIT, COMPARE, YEARS = ("trend_survey", "trend_indicator", "trend_area",
                                                         "trend_group", "trend_split", "trend_compare", "trend_years")
# The address: one parameter per filter, in this order.
LINK = {"survey": "undersokning", "indicator": "indikator", "area": "omrade", "group": "grupp",
        "compare": "jamfor", "split": "uppdelning", "years": "ar"}
LONGEST = 60  # characters of a bad value quoted back in a notice


@dataclass(frozen=True)
class Choice:
    """What is shown: one indicator for an area against the city (and other areas), or split into groups.

    The district map and anything else that follows Trender's filters reads this.
    """

    survey: str
    indicator: str
    area: str
    group: str = ALL
    compare: tuple[str, ...] = ()
    split: str | None = None
    years: tuple[int, int] | None = None

    @property
    def selection(self) -> stats.TrendSelection:
        return stats.TrendSelection(self.survey, self.indicator, self.area, self.group, self.compare, self.split,
                                    self.years)


@dataclass(frozen=True)
class Options:
    """What can be chosen for one survey and indicator."""

    areas: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    splits: tuple[str, ...] = ()
    waves: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.waves


def pairs(results: pd.DataFrame) -> list[tuple[str, str]]:
    """The (survey, indicator) pairs that have results, in a fixed order."""
    return sorted(set(zip(results["survey"], results["indicator"])))


def options(results: pd.DataFrame, survey: str, indicator: str) -> Options:
    """The areas (the city only when nothing else), groups, breakdowns and years of one indicator."""
    data = results[(results["survey"] == survey) & (results["indicator"] == indicator)]
    if data.empty:
        return Options()
    groups = tuple(sorted(set(data["grp"]), key=stats.group_order))
    return Options(tuple(sorted(set(data["area"]) - {CITY}) or [CITY]), groups,
                   tuple(stats.dimensions(list(groups))), tuple(sorted(int(y) for y in data["year"].unique())))


def survey_name(survey: str) -> str:
    return surveys.SURVEY_BY_ID[survey].name if survey in surveys.SURVEY_BY_ID else survey


def indicator_names(catalogue: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(survey, indicator) → the indicator's name in the catalogue."""
    return {(s, i): n for s, i, n in zip(catalogue["survey"], catalogue["indicator"], catalogue["name"])}


def split_label(split: str) -> str:
    return f"Per grupp: {split.lower()}" if split else "Ingen uppdelning"


# --- the choice: from the widgets or a link, always made valid ------------------------------------------------

def _quoted(value: object) -> str:
    text = str(value)
    return f"\u201d{text[:LONGEST]}{'…' if len(text) > LONGEST else ''}\u201d"


def _nearest_area(wanted: str, areas: Sequence[str]) -> str | None:
    """The area itself, or what it became (a rename or merger), or the older area that became it."""
    if wanted in areas:
        return wanted
    later = next((a for a in area_lineage(wanted)[1:] if a in areas), None)
    return later or next((a for a in areas if wanted in area_lineage(a)[1:]), None)


def _area_notice(area: str, near: str | None, fallback: str) -> str:
    if near is None:
        return f"Området {_quoted(area)} finns inte för den här indikatorn; {fallback} visas i stället."
    if near in area_lineage(area):
        return f"{area} heter nu {near} (nytt namn eller sammanslaget); {near} visas i stället."
    return f"{area} finns inte i de här mätningarna, som är äldre; {near}, som blev {area}, visas i stället."


def _years(wanted: Any, waves: Sequence[int], notices: list[str]) -> tuple[int, int]:
    every = (waves[0], waves[-1])
    try:
        low, high = sorted(int(y) for y in ((wanted, wanted) if isinstance(wanted, int) else wanted))
    except (TypeError, ValueError):
        return every
    inside = [w for w in waves if low <= w <= high]
    if not inside:
        notices.append(f"Det finns inga mätningar {low}–{high}; alla år ({waves[0]}–{waves[-1]}) visas.")
        return every
    chosen = (inside[0], inside[-1])
    if (low, high) != chosen and (low < waves[0] or high > waves[-1]):
        notices.append(f"Åren {low}–{high} går utanför mätningarna ({waves[0]}–{waves[-1]}); "
                       f"{chosen[0]}–{chosen[1]} visas.")
    return chosen


def resolve(wanted: Mapping[str, Any], available: Sequence[tuple[str, str]],
            options_for: Callable[[str, str], Options], names: Mapping[tuple[str, str], str] | None = None,
            home: str = HOME_AREA) -> tuple[Choice, Options, list[str]]:
    """The nearest valid choice to `wanted` (keys as in Choice; absent or None: the default), its options, and a
    Swedish notice for every value given that could not be used. `available` must not be empty."""
    names, notices = names or {}, []
    survey_ids = list(dict.fromkeys(s for s, _ in available))
    survey = wanted.get("survey")
    if survey is None:  # a link naming only the indicator: the survey that has it
        survey = next((s for s, i in available if i == wanted.get("indicator")), None)
    if survey not in survey_ids:
        if survey is not None:
            notices.append(f"Undersökningen {_quoted(survey)} finns inte; {survey_name(survey_ids[0])} visas i "
                           "stället.")
        survey = survey_ids[0]
    indicators = [i for s, i in available if s == survey]
    indicator = wanted.get("indicator")
    if indicator not in indicators:
        if indicator is not None:
            notices.append(f"Indikatorn {_quoted(indicator)} finns inte i {survey_name(survey)}; "
                           f"{names.get((survey, indicators[0]), indicators[0])} visas i stället.")
        indicator = indicators[0]
    found = options_for(survey, indicator)
    if found.empty:
        return Choice(survey, indicator, home), found, notices

    area = wanted.get("area")
    near = _nearest_area(area, found.areas) if area is not None else None
    if near is None or near != area:
        fallback = near or (home if home in found.areas else found.areas[0])
        if area is not None:
            notices.append(_area_notice(area, near, fallback))
        area = fallback
    group = wanted.get("group")
    if group not in found.groups:
        if group is not None:
            notices.append(f"Gruppen {_quoted(group)} finns inte för den här indikatorn; alla svarande visas.")
        group = ALL if ALL in found.groups else found.groups[0]
    split = wanted.get("split") or None
    if split is not None and split not in found.splits:
        notices.append(f"Uppdelningen {_quoted(split)} finns inte för den här indikatorn; ingen uppdelning visas.")
        split = None
    compare = []
    for other in dict.fromkeys(wanted.get("compare") or ()):
        near = _nearest_area(other, found.areas)
        if near is None:
            notices.append(f"Jämförelseområdet {_quoted(other)} finns inte för den här indikatorn och visas inte.")
        elif near != area and near not in compare:
            compare.append(near)
    years = _years(wanted.get("years"), found.waves, notices)
    return Choice(survey, indicator, area, group, tuple(compare), split, years), found, notices


def read_link(query: Mapping[str, str | list[str]]) -> tuple[dict[str, Any], list[str]]:
    """The filters asked for in the page's address (for resolve), and a notice for each that is no value at all."""
    def text(name: str) -> str | None:
        value = query.get(LINK[name])
        value = value[-1] if isinstance(value, list) and value else value
        return value.strip() if isinstance(value, str) and value.strip() else None

    wanted: dict[str, Any] = {name: text(name) for name in ("survey", "indicator", "area", "group", "split")}
    compare = text("compare")
    wanted["compare"] = tuple(a.strip() for a in compare.split(",") if a.strip()) if compare else ()
    notices, years = [], text("years")
    if years is not None:
        found = re.fullmatch(r"([0-9]{4})(?:\s*[-–]\s*([0-9]{4}))?", years)
        if found:
            wanted["years"] = (int(found[1]), int(found[2] or found[1]))
        else:
            notices.append(f"Åren {_quoted(years)} i länken är inga årtal (skriv till exempel 2014-2016); "
                           "alla år visas.")
    return wanted, notices


def link(choice: Choice) -> dict[str, str]:
    """The address parameters that open exactly this choice (no parameter for an empty comparison or split)."""
    values = {"survey": choice.survey, "indicator": choice.indicator, "area": choice.area, "group": choice.group,
              "compare": ",".join(choice.compare), "split": choice.split or "",
              "years": f"{choice.years[0]}-{choice.years[1]}" if choice.years else ""}
    return {LINK[name]: value for name, value in values.items() if value}


def address(base: str | None, choice: Choice) -> str:
    """The whole link to this choice: the page's address (st.context.url) and its parameters."""
    return f"{base or '/trender'}?{urlencode(link(choice))}"


def link_part(query: Mapping[str, Any]) -> dict[str, str]:
    """The page's own parameters in an address (other pages' parameters, such as ?datum=, are left alone)."""
    return {k: str(v) for k, v in query.items() if k in LINK.values()}


def years_key(survey: str, indicator: str) -> str:
    return f"{YEARS}_{survey}_{indicator}"


def from_widgets(state: Mapping[str, Any]) -> dict[str, Any]:
    """The filters as the page's widgets hold them (for resolve)."""
    survey, indicator = state.get(SURVEY), state.get(INDICATOR)
    return {"survey": survey, "indicator": indicator, "area": state.get(AREA), "group": state.get(GROUP),
            "split": state.get(SPLIT) or None, "compare": tuple(state.get(COMPARE) or ()),
            "years": state.get(years_key(survey, indicator))}


def widget_values(choice: Choice) -> dict[str, Any]:
    """The page's widget keys and the values that show `choice` (the years slider takes its value as default)."""
    return {SURVEY: choice.survey, INDICATOR: choice.indicator, AREA: choice.area, GROUP: choice.group,
            SPLIT: choice.split or "", COMPARE: list(choice.compare)}


def ready_values(selection: stats.TrendSelection, home: str = HOME_AREA) -> dict[str, Any]:
    """The widget values of one of the deck's ready views (all years), for the council's own area."""
    return widget_values(Choice(selection.survey, selection.indicator, home, selection.group,
                                selection.compare, selection.split))


# --- an analyst's respondent-level file ------------------------------------------------------------------------

def read_file(name: str, data: bytes) -> RespondentExtract:
    """A respondent-level file checked (size, packed size, rows: before reading it) and read; InputError if not."""
    uploads.check_upload(name, len(data), "respondents")
    uploads.check_contents(name, data, "respondents")
    return respondents.read_respondents(name, data)


def file_text(name: str, extract: RespondentExtract) -> str:
    """What the sidebar says about a file read (Markdown)."""
    return (f"**{markdown_escape(name, newline=' ')}**: {number(extract.rows)} rader, "
            f"{'viktad' if extract.weighted else 'oviktad'}.")


aggregate = respondents.aggregate


# --- what the page shows ---------------------------------------------------------------------------------------

def markdown_text(text: object) -> str:
    """Any text for a one-line Markdown place (a list item, a caption, a table cell): shown as typed."""
    return markdown_escape(text, newline=" ")


_md = markdown_text
CSV_MIME, XLSX_MIME = export.CSV_MIME, export.XLSX_MIME


ABOUT = [("Fråga", "question"), ("Svarsskala", "scale"), ("Definition", "definition"), ("Källa", "source")]
TEST_NOTE = ("Tvåandelstest på 5 % nivå. Jämförelsen med hela staden tar inte hänsyn till att området ingår i "
             "staden; testet blir då något försiktigt.")


@dataclass
class TrendView:
    """Everything Trender shows for one choice, computed once per data version (or uploaded file)."""

    trend: stats.Trend
    chart: Any  # the Altair chart, for PNG and SVG
    spec: dict  # the same chart as a Vega-Lite spec, validated once, drawn on every rerun
    notes: list[str]  # Markdown, under the chart
    about: str  # Markdown: the question, scale, definition and source
    latest: str  # Markdown: the latest wave and how often the survey is made
    sentences: str  # Markdown: a list of what changed and whether it is significant
    table: pd.DataFrame  # the export table
    shown: pd.DataFrame  # the table as the page shows it
    numeric: list[str]  # its columns of numbers
    stem: str  # file name stem of every download
    heading: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    computed_from: str | None = None  # Markdown: the uploaded file the view is computed from

    @property
    def example(self) -> bool:
        return self.trend.example

    def csv(self) -> bytes:
        return export.table_csv(self.table, self.heading, self.footnotes)

    def xlsx(self) -> bytes:
        return export.table_xlsx(self.table, self.heading, self.footnotes)

    def png(self) -> bytes:
        return export.chart_png(self.chart)

    def svg(self) -> bytes:
        return export.chart_svg(self.chart)

    def downloads(self) -> list[tuple[str, Callable[[], bytes], str, str, str]]:
        """Label, bytes (made on a click), file name, MIME type and icon of each download button."""
        return [("CSV för Excel", self.csv, f"{self.stem}.csv", CSV_MIME, ":material/download:"),
                ("Excel (.xlsx)", self.xlsx, f"{self.stem}.xlsx", XLSX_MIME, ":material/download:"),
                ("Diagram som PNG", self.png, f"{self.stem}.png", "image/png", ":material/image:"),
                ("Diagram som SVG", self.svg, f"{self.stem}.svg", "image/svg+xml", ":material/image:")]


def build(results: pd.DataFrame, catalogue: pd.DataFrame, choice: Choice, min_answers: int,
          extract: RespondentExtract | None = None) -> TrendView:
    """The trend with intervals, its chart, sentences, table and exports; from an uploaded file when `extract`."""
    trend = stats.build_trend(results, choice.selection, min_answers, stats.load_method_breaks())
    s_name = survey_name(choice.survey)
    i_name = indicator_names(catalogue).get((choice.survey, choice.indicator), choice.indicator)
    title, subtitle = charts.trend_heading(trend, s_name, i_name)
    chart = charts.trend_chart(trend.frame, title, subtitle, trend.series, trend.city_series, trend.breaks,
                               trend.waves)
    about = catalogue[(catalogue["survey"] == choice.survey) & (catalogue["indicator"] == choice.indicator)]
    if about.empty:
        about_text, source = "Ingen beskrivning av indikatorn finns.", ""
    else:
        row = about.iloc[0]
        about_text = "  \n".join(f"**{label}:** {_md(row[column]) or '–'}" for label, column in ABOUT)
        source = row["source"]
    frequency = (f"  \n**Genomförs:** {surveys.SURVEY_BY_ID[choice.survey].frequency}"
                 if choice.survey in surveys.SURVEY_BY_ID else "")
    waves = sorted(int(y) for y in results.loc[(results["survey"] == choice.survey)
                                               & (results["indicator"] == choice.indicator), "year"].unique())
    table = export.trend_table(trend, s_name, i_name)
    shown = export.display_table(table)
    computed_from = None
    if extract is not None:
        source = extract.file
        computed_from = (f"Beräknat ur **{_md(extract.file)}** ({'viktad' if extract.weighted else 'oviktad'}). "
                         "Hela staden är alla svarande i filen.")
    return TrendView(
        trend=trend, chart=chart, spec=charts.vega_lite(chart), notes=[_md(note) for note in trend.notes()],
        about=about_text, latest=f"**Senaste mätning:** {max(waves) if waves else '–'}{frequency}",
        sentences="\n".join(f"- {_md(sentence)}" for sentence in stats.change_sentences(trend, i_name)),
        table=table, shown=shown, numeric=export.numeric_columns(shown),
        stem=export.file_stem("trend", choice.survey, choice.indicator, choice.area),
        heading=export.trend_title(trend, s_name, i_name), footnotes=export.trend_footnotes(trend, source),
        computed_from=computed_from)


def district_view(results: pd.DataFrame, boundaries: Any, choice: Choice, min_answers: int,
                  indicator_name: str) -> districts.DistrictView:
    """The district map under the trend: the choice's indicator and group in the last year of its range."""
    return districts.build_district_view(results, boundaries, choice.survey, choice.indicator, choice.group,
                                         choice.years[1], min_answers, indicator_name)

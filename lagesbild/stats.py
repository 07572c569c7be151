"""Honest survey statistics: intervals, suppression, comparisons, series breaks and what they say in Swedish."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .areas import AREA_CHANGES, area_change, area_lineage
from .config import DATA_DIR
from .formatting import number, percent
from .problems import InputError, Problem
from .surveys import ALL, CITY, survey_id
from .tabular import Field, read_table

Z95 = 1.959963984540054
ALPHA = 0.05
METHOD_BREAKS_FILE = DATA_DIR / "serieavbrott.csv"


def wilson_interval(share_percent: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The 95 % Wilson score interval, in percent, for a share observed among n answers."""
    p = share_percent / 100
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return 100 * (centre - half), 100 * (centre + half)


def wilson_bounds(share_percent: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson intervals in percent for arrays of shares and answers; NaN where either is missing or n is 0."""
    p = np.asarray(share_percent, dtype=float) / 100
    n = np.asarray(n, dtype=float)
    valid = ~np.isnan(p) & ~np.isnan(n) & (n > 0)
    n = np.where(valid, n, 1.0)
    p = np.where(valid, p, 0.0)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return np.where(valid, 100 * (centre - half), np.nan), np.where(valid, 100 * (centre + half), np.nan)


def two_proportion_test(share1: float, n1: int, share2: float, n2: int) -> tuple[float, float]:
    """(z, two-sided p-value) of the difference between two shares in percent, pooled standard error."""
    p1, p2 = share1 / 100, share2 / 100
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (p2 - p1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def with_intervals(results: pd.DataFrame, min_answers: int) -> pd.DataFrame:
    """Results with `low`/`high` and with shares of groups under min_answers suppressed (reason in `missing`)."""
    # Suppression counts answers (`n`), as SCB does; the interval uses the effective number of answers
    # (`n_eff`) where weighting gives one.
    frame = results.copy()
    n = pd.to_numeric(frame["n"], errors="coerce").astype(float)
    small = n.notna() & (n < min_answers) & frame["share"].notna()
    frame.loc[small, "share"] = float("nan")
    frame["missing"] = frame["missing"].astype(object)
    frame.loc[small, "missing"] = "<n"
    basis = n
    if "n_eff" in frame:
        n_eff = pd.to_numeric(frame["n_eff"], errors="coerce").astype(float)
        basis = n_eff.where(n_eff.notna(), n)
    frame["low"], frame["high"] = wilson_bounds(frame["share"].to_numpy(dtype=float), basis.to_numpy())
    return frame


MISSING_REASONS = {
    "..": "uppgift saknas eller är för osäker",
    "–": "noll eller avrundat till noll",
    "U": "undertryckt i källan",
    "XX": "undertryckt i källan",
    "tom": "tom cell i källan",
    "<n": "för få svar",
    "saknas": "ingen uppgift för året",
}


def missing_reason(marker: object, min_answers: int) -> str:
    """Why a value is not shown, in Swedish; empty when it is shown."""
    if not isinstance(marker, str) or not marker:
        return ""
    if marker == "<n":
        return f"för få svar (färre än {min_answers})"
    return MISSING_REASONS.get(marker, marker)


def shown_marker(marker: object) -> str:
    """What a missing cell shows: the source's own marker, else ".."."""
    return marker if marker in ("–", "U", "XX") else ".."


@dataclass(frozen=True)
class Comparison:
    """A difference between two shares in percentage points (second minus first) and its test."""

    difference: float
    z: float | None
    p: float | None

    @property
    def tested(self) -> bool:
        return self.p is not None

    @property
    def significant(self) -> bool:
        """Statistically significant at the 5 % level (two-proportion test)."""
        return self.p is not None and self.p < ALPHA


def compare(share1: float, n1: float | None, share2: float, n2: float | None) -> Comparison:
    """The change from share1 to share2, tested when both numbers of answers are known."""
    difference = share2 - share1
    if n1 is None or n2 is None or pd.isna(n1) or pd.isna(n2) or n1 <= 0 or n2 <= 0:
        return Comparison(difference, None, None)
    z, p = two_proportion_test(share1, float(n1), share2, float(n2))
    return Comparison(difference, z, p)


@dataclass(frozen=True)
class RateRatio:
    """Events per unit of exposure after against before, with a 95 % interval; None where it cannot be computed."""

    after: int
    after_exposure: float
    before: int
    before_exposure: float
    ratio: float | None
    low: float | None
    high: float | None


def rate_ratio(after: int, after_exposure: float, before: int, before_exposure: float,
               z: float = Z95) -> RateRatio:
    """(after/after_exposure) / (before/before_exposure) with the Poisson interval exp(log RR ± z·√(1/a + 1/b))."""
    if after_exposure <= 0 or before_exposure <= 0 or before == 0:
        return RateRatio(after, after_exposure, before, before_exposure, None, None, None)
    ratio = (after / after_exposure) / (before / before_exposure)
    if after == 0:
        return RateRatio(after, after_exposure, before, before_exposure, ratio, None, None)
    half = z * math.sqrt(1 / after + 1 / before)
    return RateRatio(after, after_exposure, before, before_exposure, ratio,
                     ratio * math.exp(-half), ratio * math.exp(half))


# --------------------------------------------------------------------------- group dimensions

DIMENSIONS = ["Kön", "Ålder", "Årskurs", "Kön och årskurs", "Övriga grupper"]
_SEX = {"kvinnor", "män", "flickor", "pojkar"}


def group_dimension(group: str) -> str | None:
    """Which breakdown a group belongs to ("Kön", "Ålder", …); None for everyone."""
    key = group.strip().casefold()
    if group == ALL:
        return None
    if key in _SEX:
        return "Kön"
    if re.fullmatch(r"(flickor|pojkar) (åk|gy) ?\d+", key):
        return "Kön och årskurs"
    if re.fullmatch(r"(åk|gy) ?\d+", key):
        return "Årskurs"
    if re.search(r"\d.*år", key):
        return "Ålder"
    return "Övriga grupper"


def group_order(group: str) -> tuple:
    """Sort key for groups: everyone first, then grade 9 before upper secondary, then by name."""
    key = group.casefold()
    return (group != ALL, 0 if "åk" in key else 1 if "gy" in key else 2, key)


def dimensions(groups: list[str]) -> list[str]:
    """The breakdowns the groups make up, in a fixed order."""
    found = {group_dimension(g) for g in groups} - {None}
    return [d for d in DIMENSIONS if d in found]


# --------------------------------------------------------------------------- method breaks

@dataclass(frozen=True)
class MethodBreak:
    """A change of method that makes a survey's waves before `year` incomparable with those from it."""

    survey: str
    indicator: str  # empty: every indicator of the survey
    year: int
    description: str
    is_example: bool = False

    def applies_to(self, survey: str, indicator: str) -> bool:
        return self.survey == survey and self.indicator in ("", indicator)


METHOD_BREAK_FIELDS = [
    Field("undersökning"),
    Field("indikator", allow_empty=True),
    Field("från_år", "int", minimum=1900, maximum=2100, aliases=("år", "från år")),
    Field("beskrivning"),
    Field("exempeldata", "choice", required=False, allow_empty=True, choices=("ja", "nej")),
]


def read_method_breaks(file_name: str, data: bytes) -> list[MethodBreak]:
    """Validated method changes (undersökning, indikator, från_år, beskrivning, exempeldata)."""
    frame = read_table(file_name, data, METHOD_BREAK_FIELDS)
    problems, breaks = [], []
    for row in frame.itertuples(index=False):
        sid = survey_id(row.undersökning)
        if sid is None:
            problems.append(Problem(file_name, f'okänd undersökning "{row.undersökning}"', row.rad, "undersökning"))
            continue
        breaks.append(MethodBreak(sid, row.indikator or "", int(row.från_år), row.beskrivning,
                                  row.exempeldata == "ja"))
    if problems:
        raise InputError(problems)
    return breaks


def load_method_breaks(path: Path = METHOD_BREAKS_FILE) -> list[MethodBreak]:
    """The method changes listed in data/serieavbrott.csv (none if the file is absent)."""
    if not path.exists():
        return []
    return read_method_breaks(path.name, path.read_bytes())


# --------------------------------------------------------------------------- trends

@dataclass(frozen=True)
class TrendSelection:
    """What the analyst chose: one indicator, an area against the city (and others), or one area by group."""

    survey: str
    indicator: str
    area: str
    group: str = ALL
    compare: tuple[str, ...] = ()
    split: str | None = None  # a group dimension: each of its groups becomes a series in `area`
    years: tuple[int, int] | None = None
    show_city: bool = True


@dataclass(frozen=True)
class SeriesBreak:
    """A break between two waves: an area rename or merger, or a method change."""

    before: int
    after: int
    label: str  # short, for the chart
    description: str  # whole sentence, for notes and exports
    series: str | None = None  # None: every series


@dataclass
class Trend:
    """The series to draw, one row per series and wave, with intervals, suppression and segments."""

    frame: pd.DataFrame  # series, area, grp, year, share, missing, n, n_eff, low, high, reason, segment, is_example
    series: list[str]
    breaks: list[SeriesBreak]
    waves: list[int]
    selection: TrendSelection
    min_answers: int
    weighted: bool = False
    city_series: str | None = None
    remarks: list[str] = field(default_factory=list)
    example: bool = field(init=False)

    def __post_init__(self) -> None:
        self.example = bool(self.frame["is_example"].any()) if not self.frame.empty else False

    def notes(self) -> list[str]:
        """What a reader must know to read the chart right, in Swedish."""
        f = self.frame
        notes = []
        if (f["missing"] == "<n").any():
            notes.append(f'".." betyder att gruppen har färre än {self.min_answers} svar och därför inte redovisas.')
        other = f[f["missing"].notna() & (f["missing"] != "<n")]
        for (series, marker), rows in other.groupby(["series", "missing"], sort=False):
            years = ", ".join(str(y) for y in rows["year"])
            notes.append(f"{series} {years}: {shown_marker(marker)} – {missing_reason(marker, self.min_answers)}.")
        no_n = f[f["share"].notna() & f["n"].isna()]
        for series, rows in no_n.groupby("series", sort=False):
            years = ", ".join(str(y) for y in rows["year"])
            notes.append(f"{series} {years}: konfidensintervall saknas eftersom källan inte anger antal svar.")
        for b in self.breaks:
            notes.append(f"Serieavbrott mellan {b.before} och {b.after}: {b.description}. "
                         "Linjen dras inte över avbrottet.")
        if self.weighted:
            notes.append("Andelarna är viktade; konfidensintervall och test bygger på effektivt antal svar.")
        return notes + self.remarks


def _series_rows(data: pd.DataFrame, lineage: list[str], group: str, waves: list[int], label: str) -> pd.DataFrame:
    rows = data[data["area"].isin(lineage) & (data["grp"] == group)].copy()
    # Where two names of the same area both have a wave, the older name (the one chosen) wins.
    rows["rank"] = rows["area"].map({name: i for i, name in enumerate(lineage)})
    rows = rows.sort_values(["year", "rank"]).drop_duplicates("year").drop(columns="rank")
    rows = rows.set_index("year").reindex(waves)
    absent = rows["area"].isna()
    rows.loc[absent, "missing"] = "saknas"
    rows["area"] = rows["area"].ffill().bfill().fillna(lineage[0])
    rows["grp"] = group
    rows["is_example"] = rows["is_example"].astype("boolean").fillna(False).astype(bool)
    named = [a for a in lineage if a in set(rows.loc[~absent, "area"])] or lineage[:1]
    rows["series"] = label if len(named) == 1 else " / ".join(named)
    return rows.reset_index(names="year")


def _segments(frame: pd.DataFrame, method: list[MethodBreak]) -> tuple[list[int], list[SeriesBreak]]:
    """A line segment number per row (a new one after every gap, rename or method change), and the renames."""
    segments, renames = [], []
    for series, rows in frame.groupby("series", sort=False):
        segment, previous = 0, None
        for row in rows.itertuples():
            if previous is not None:
                renamed = row.area != previous.area
                if renamed:
                    change = area_change(previous.area, row.area)
                    text = change.note if change else f"{previous.area} heter {row.area} från {row.year}"
                    renames.append(SeriesBreak(int(previous.year), int(row.year), f"{row.area} från {row.year}",
                                               text, series))
                crossed = any(previous.year < b.year <= row.year for b in method)
                if renamed or crossed or pd.isna(row.share) or pd.isna(previous.share):
                    segment += 1
            segments.append((row.Index, segment))
            previous = row
    by_row = dict(segments)
    return [by_row[i] for i in frame.index], renames


def build_trend(results: pd.DataFrame, selection: TrendSelection, min_answers: int,
                method_breaks: list[MethodBreak] = ()) -> Trend:
    """The chosen series with intervals, suppression, filled-in missing waves and breaks."""
    data = results[(results["survey"] == selection.survey) & (results["indicator"] == selection.indicator)]
    waves = sorted(int(y) for y in data["year"].unique())
    if selection.years:
        waves = [y for y in waves if selection.years[0] <= y <= selection.years[1]]
    data = data[data["year"].isin(waves)]
    if "is_example" not in data:
        data = data.assign(is_example=False)

    specs: list[tuple[list[str], str, str]] = []  # (lineage, group, label)
    if selection.split:
        groups = sorted({g for g in data["grp"].unique() if group_dimension(g) == selection.split}, key=group_order)
        specs = [(area_lineage(selection.area), g, g) for g in groups]
    else:
        for area in dict.fromkeys([selection.area, *selection.compare]):
            if area != CITY:
                specs.append((area_lineage(area), selection.group, area))
        if selection.show_city:
            specs.append(([CITY], selection.group, CITY))

    parts = [_series_rows(data, lineage, group, waves, label) for lineage, group, label in specs] if waves else []
    columns = ["series", "area", "grp", "year", "share", "missing", "n", "n_eff", "is_example"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    if "n_eff" not in frame:
        frame["n_eff"] = float("nan")
    frame = with_intervals(frame[columns], min_answers)
    frame["year"] = frame["year"].astype(int)
    frame["reason"] = [missing_reason(m, min_answers) for m in frame["missing"]]

    method = [b for b in method_breaks if b.applies_to(selection.survey, selection.indicator)]
    breaks: list[SeriesBreak] = []
    for b in method:
        before = [y for y in waves if y < b.year]
        after = [y for y in waves if y >= b.year]
        if before and after:
            label = "Ny metod" + (" (exempel)" if b.is_example else "")
            breaks.append(SeriesBreak(before[-1], after[0], label, b.description))

    frame["segment"], renames = _segments(frame, method)
    for b in renames:
        if not any((x.before, x.after, x.description) == (b.before, b.after, b.description) for x in breaks):
            breaks.append(b)

    order = list(dict.fromkeys(frame["series"]))
    with_n_eff = frame[frame["n_eff"].notna()]
    weighted = bool((with_n_eff["n_eff"].round(6) != with_n_eff["n"].astype(float)).any())
    city = CITY if (not selection.split and selection.show_city) else None
    # A merged area has no series of its own before the merger; its parts can be chosen for comparison.
    shown_areas = set(frame["area"])
    remarks = [f"{c.after} bildades {c.date.isoformat()} av {' och '.join(c.before)}; välj dem under "
               "”Jämför med andra områden” för åren före." for c in AREA_CHANGES
               if c.after in shown_areas and not shown_areas & set(c.before)]
    return Trend(frame, order, sorted(breaks, key=lambda b: b.before), waves, selection, min_answers,
                 weighted, city, remarks)


# --------------------------------------------------------------------------- what the numbers say

SHARE_WORDS = {
    "trygg_kvall": "trygga",
    "trygg_ute_sent": "trygga",
    "otrygg_ute_sent": "otrygga",
    "roker": "som röker",
}


def share_subject(indicator: str, name: str) -> str:
    """'Andelen trygga' for a known indicator, 'Andelen ”Name”' for others."""
    word = SHARE_WORDS.get(indicator)
    return f"Andelen {word}" if word else f"Andelen ”{name}”"


def _where(area: str, group: str) -> str:
    place = "hela staden" if area == CITY else area
    if group == ALL:
        return f"i {place}"
    label = group if group[:1].isdigit() else group[:1].lower() + group[1:]
    return f"i {place} ({label})"


def _points(difference: float) -> str:
    return f"{number(abs(difference), 1)} procentenheter"


def _verdict(c: Comparison, n1: object, n2: object) -> str:
    if not c.tested:
        return "om skillnaden är statistiskt säkerställd kan inte prövas eftersom antal svar saknas"
    word = "är" if c.significant else "är inte"
    return f"skillnaden {word} statistiskt säkerställd (n = {number(n1)} och {number(n2)})"


def _basis(row) -> float | None:
    value = row.n_eff if not pd.isna(row.n_eff) else row.n
    return None if pd.isna(value) else float(value)


def change_sentences(trend: Trend, indicator_name: str) -> list[str]:
    """Per series, the latest wave against the wave before and against the city, in plain Swedish."""
    if not trend.waves:
        return []
    latest = trend.waves[-1]
    previous_wave = trend.waves[-2] if len(trend.waves) > 1 else None
    subject = share_subject(trend.selection.indicator, indicator_name)
    f = trend.frame
    sentences = []
    for series in trend.series:
        rows = f[f["series"] == series].set_index("year")
        last = next(rows.loc[[latest]].itertuples())
        where = _where(last.area, last.grp)
        if pd.isna(last.share):
            sentences.append(f"{subject} {where} redovisas inte för {latest}: "
                             f"{missing_reason(last.missing, trend.min_answers)}.")
            continue
        if previous_wave is None:
            sentences.append(f"{subject} {where} var {percent(last.share)} {latest}. Det är den första mätningen "
                             "i urvalet, så det finns inget tidigare år att jämföra med.")
            continue
        prev = next(rows.loc[[previous_wave]].itertuples())
        crossing = next((b for b in trend.breaks if b.before == previous_wave and b.after == latest
                         and b.series in (None, series)), None)
        if crossing:
            text = (f"{subject} {where} var {percent(last.share)} {latest} och kan inte jämföras med "
                    f"{previous_wave}: {crossing.description}.")
        elif pd.isna(prev.share):
            text = (f"{subject} {where} var {percent(last.share)} {latest}. {previous_wave} redovisas inte "
                    f"({missing_reason(prev.missing, trend.min_answers)}), så förändringen kan inte beräknas.")
        else:
            c = compare(prev.share, _basis(prev), last.share, _basis(last))
            if round(c.difference, 1) == 0:
                verb = f"var oförändrad {previous_wave}–{latest} ({percent(last.share)})"
            else:
                direction = "ökade" if c.difference > 0 else "minskade"
                verb = (f"{direction} med {_points(c.difference)} {previous_wave}–{latest} "
                        f"(från {percent(prev.share)} till {percent(last.share)})")
            text = f"{subject} {where} {verb}; {_verdict(c, prev.n, last.n)}."
        if trend.city_series and series != trend.city_series:
            city = f[(f["series"] == trend.city_series) & (f["year"] == latest)]
            if not city.empty and not pd.isna(city["share"].iloc[0]):
                crow = next(city.itertuples())
                c = compare(crow.share, _basis(crow), last.share, _basis(last))
                if round(c.difference, 1) == 0:
                    level = "lika stor"
                else:
                    level = f"{_points(c.difference)} {'högre' if c.difference > 0 else 'lägre'}"
                text += (f" Jämfört med hela staden {latest} ({percent(crow.share)}) är andelen {level}; "
                         f"{_verdict(c, last.n, crow.n)}.")
        sentences.append(text)
    return sentences


# The council deck's two survey slides, one click away on the trends page.
READY_VIEWS = {
    "Upplevd trygghet, medborgarundersökningen":
        TrendSelection("medborgarundersokningen", "trygg_kvall", "Norrmalm"),
    "Elever som känner sig trygga ute sent en kväll, Stockholmsenkäten":
        TrendSelection("stockholmsenkaten", "trygg_ute_sent", "Norrmalm", split="Kön och årskurs"),
}

"""Regenerate the example survey files: indikatorer.csv and the two survey CSVs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent
SEED = 20161214  # the date of the council meeting whose deck the data illustrates

CITY = "Hela staden"
NORRMALM = "Norrmalm"
# The 14 stadsdelsområden of 2007-2019, in the city's usual west-to-south order.
DISTRICTS = [
    "Rinkeby-Kista",
    "Spånga-Tensta",
    "Hässelby-Vällingby",
    "Bromma",
    "Kungsholmen",
    "Norrmalm",
    "Östermalm",
    "Södermalm",
    "Enskede-Årsta-Vantör",
    "Skarpnäck",
    "Farsta",
    "Älvsjö",
    "Hägersten-Liljeholmen",
    "Skärholmen",
]
HEADER = ["undersökning", "år", "område", "grupp", "indikator", "andel", "antal_svar", "anmärkning"]
NOT_AVAILABLE = ".."
ZERO = "\u2013"  # en dash: "zero" in official Swedish tables
NBSP = "\u00a0"
INVENTED = "Exempeldata: påhittat värde"

# --------------------------------------------------------------------------- indikatorer.csv

SAFETY_QUESTION_PUPILS = (
    "Om du går ut ensam sent en kväll i det område där du bor, känner du dig då trygg eller otrygg?"
)
SAFETY_SCALE_PUPILS = (
    "Mycket trygg / Ganska trygg / Ganska otrygg / Mycket otrygg / "
    "Går inte ut på kvällen av oro för att utsättas för brott / Vet inte"
)
INDICATORS = [
    {
        "undersökning": "medborgarundersokningen",
        "indikator": "trygg_kvall",
        "namn": "Trygg ensam hem på kvällen",
        "fråga": "Jag känner mig trygg när jag går ensam hem på kvällen i min stadsdel",
        "svarsskala": (
            "Instämmer helt / Instämmer till stor del / Instämmer till viss del / "
            "Instämmer inte alls / Ingen uppfattning"
        ),
        "definition": (
            "Andel som svarat Instämmer helt eller Instämmer till stor del, i procent av dem som "
            "besvarat påståendet (Ingen uppfattning räknas inte)"
        ),
        "källa": "Medborgarundersökningen, Stockholms stad",
    },
    {
        "undersökning": "stockholmsenkaten",
        "indikator": "trygg_ute_sent",
        "namn": "Trygg ute sent en kväll",
        "fråga": SAFETY_QUESTION_PUPILS,
        "svarsskala": SAFETY_SCALE_PUPILS,
        "definition": (
            "Andel som svarat Mycket trygg eller Ganska trygg, i procent av dem som besvarat frågan"
        ),
        "källa": "Stockholmsenkäten, Stockholms stad",
    },
    {
        "undersökning": "stockholmsenkaten",
        "indikator": "otrygg_ute_sent",
        "namn": "Otrygg ute sent en kväll",
        "fråga": SAFETY_QUESTION_PUPILS,
        "svarsskala": SAFETY_SCALE_PUPILS,
        "definition": (
            "Andel som svarat Mycket otrygg, Ganska otrygg eller Går inte ut på kvällen av oro för "
            "att utsättas för brott, i procent av dem som besvarat frågan"
        ),
        "källa": "Stockholmsenkäten, Stockholms stad",
    },
    {
        "undersökning": "stockholmsenkaten",
        "indikator": "roker",
        "namn": "Röker",
        "fråga": "Röker du cigaretter?",
        "svarsskala": (
            "Nej, jag har aldrig rökt / Nej, jag har bara provat / Nej, jag har slutat / "
            "Ja, ibland men inte varje dag / Ja, dagligen"
        ),
        "definition": (
            "Andel som svarat Ja, ibland men inte varje dag eller Ja, dagligen, i procent av dem "
            "som besvarat frågan"
        ),
        "källa": "Stockholmsenkäten, Stockholms stad",
    },
]


def write_indicators(path: Path) -> int:
    """Write the indicator catalogue as plain UTF-8 and return its number of rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(INDICATORS[0]), delimiter=";", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(INDICATORS)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return len(INDICATORS)


# --------------------------------------------------------------------------- shared helpers


def format_share(value: float) -> str:
    """Return a percentage with one decimal and a decimal comma, as Swedish Excel shows it."""
    return f"{value:.1f}".replace(".", ",")


def format_count(value: int, thousands: str = "") -> str:
    """Return an integer, optionally with a thousands separator."""
    return f"{value:,}".replace(",", thousands)


def split_count(total: int, fractions: np.ndarray) -> np.ndarray:
    """Split total into integer parts proportional to fractions that add up to total exactly."""
    raw = total * fractions / fractions.sum()
    parts = np.floor(raw).astype(int)
    remainder = total - parts.sum()
    for index in np.argsort(-(raw - parts))[:remainder]:
        parts[index] += 1
    return parts


def excel_lines(rows: list[list[str]]) -> list[str]:
    """Join cells with ';', quoting only where Excel would (a ';' or '"' in the cell)."""
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            if ";" in cell or '"' in cell:
                cell = '"' + cell.replace('"', '""') + '"'
            cells.append(cell)
        lines.append(";".join(cells))
    return lines


# --------------------------------------------------------------------------- Medborgarundersökningen

MU_YEARS = list(range(2011, 2017))
MU_GROUPS_SEX = ["Kvinnor", "Män"]
MU_GROUPS_AGE = ["18\u201329 år", "30\u201349 år", "50\u201364 år", "65 år och äldre"]
# The city's public level is about 65 % every year; the decimals are invented.
MU_CITY_ALLA = {2011: 65.2, 2012: 64.6, 2013: 65.4, 2014: 64.9, 2015: 65.3, 2016: 64.7}
# Invented, but the council deck says Norrmalm fell two percentage points 2015 -> 2016.
MU_NORRMALM_ALLA = {2011: 70.6, 2012: 71.2, 2013: 70.9, 2014: 71.7, 2015: 72.0, 2016: 70.0}
MU_NORRMALM_N = {2015: 412, 2016: 398}
# (typical share who feel safe, typical number of answers) per district; invented.
MU_DISTRICT_BASE = {
    "Rinkeby-Kista": (53.0, 255),
    "Spånga-Tensta": (54.0, 250),
    "Hässelby-Vällingby": (63.0, 310),
    "Bromma": (73.0, 370),
    "Kungsholmen": (72.5, 375),
    "Norrmalm": (71.0, 405),
    "Östermalm": (75.0, 370),
    "Södermalm": (70.0, 405),
    "Enskede-Årsta-Vantör": (61.0, 345),
    "Skarpnäck": (62.5, 275),
    "Farsta": (60.0, 300),
    "Älvsjö": (68.0, 250),
    "Hägersten-Liljeholmen": (67.5, 350),
    "Skärholmen": (52.5, 245),
}
INNER_CITY = {"Kungsholmen", "Norrmalm", "Östermalm", "Södermalm"}
# Share of respondents per age band: the inner city answers younger.
MU_AGE_MIX_INNER = np.array([0.19, 0.36, 0.22, 0.23])
MU_AGE_MIX_OUTER = np.array([0.15, 0.34, 0.26, 0.25])
# How far each age band sits from the district's mean before centring: the oldest feel least safe.
MU_AGE_OFFSETS = np.array([-0.5, 3.0, 1.5, -5.5])
# Cells published as ".." (the raw count was too small to release); invented positions.
MU_NOT_AVAILABLE = {
    (2011, "Skärholmen", "65 år och äldre"),
    (2012, "Älvsjö", "18\u201329 år"),
    (2013, "Rinkeby-Kista", "18\u201329 år"),
    (2014, "Spånga-Tensta", "18\u201329 år"),
}


def medborgar_district_cells(rng: np.random.Generator) -> dict:
    """Return {(year, district, group): (share, n)} with groups consistent with 'Alla'."""
    cells = {}
    for year in MU_YEARS:
        alla = {}
        for district, (level, typical_n) in MU_DISTRICT_BASE.items():
            n = int(round(typical_n * (1 + rng.normal(0, 0.04))))
            share = level + rng.normal(0, 1.0)
            if district == NORRMALM:
                n = MU_NORRMALM_N.get(year, n)
                share = MU_NORRMALM_ALLA[year]
            alla[district] = [share, n]
        # Shift the other districts so that their weighted mean is the city's public level.
        total_n = sum(n for _, n in alla.values())
        missing = MU_CITY_ALLA[year] * total_n - sum(s * n for s, n in alla.values())
        others_n = total_n - alla[NORRMALM][1]
        for district in DISTRICTS:
            if district != NORRMALM:
                alla[district][0] += missing / others_n

        for district in DISTRICTS:
            share, n = alla[district]
            cells[(year, district, "Alla")] = (share, n)

            women_fraction = rng.normal(0.54, 0.015)
            n_women = int(round(n * women_fraction))
            n_men = n - n_women
            sex_gap = rng.uniform(10.0, 15.0)
            cells[(year, district, "Kvinnor")] = (share - sex_gap * n_men / n, n_women)
            cells[(year, district, "Män")] = (share + sex_gap * n_women / n, n_men)

            mix = MU_AGE_MIX_INNER if district in INNER_CITY else MU_AGE_MIX_OUTER
            mix = mix * np.exp(rng.normal(0, 0.06, size=mix.size))
            age_n = split_count(n, mix)
            offsets = MU_AGE_OFFSETS + rng.normal(0, 1.2, size=mix.size)
            offsets -= np.average(offsets, weights=age_n)
            for group, group_n, offset in zip(MU_GROUPS_AGE, age_n, offsets):
                cells[(year, district, group)] = (share + offset, int(group_n))
    return cells


def add_city_totals(cells: dict, years: list[int], groups: list[str], indicators=None) -> None:
    """Add 'Hela staden' cells as the n-weighted sum of the districts."""
    keys = [()] if indicators is None else [(i,) for i in indicators]
    for year in years:
        for group in groups:
            for extra in keys:
                parts = [cells[(year, d, group, *extra)] for d in DISTRICTS]
                n = sum(part_n for _, part_n in parts)
                share = sum(s * part_n for s, part_n in parts) / n
                cells[(year, CITY, group, *extra)] = (share, n)


def write_medborgarundersokningen(path: Path, rng: np.random.Generator) -> int:
    """Write the adult survey as Excel 'CSV (semikolonavgränsad)' and return its data row count."""
    groups = ["Alla", *MU_GROUPS_SEX, *MU_GROUPS_AGE]
    cells = medborgar_district_cells(rng)
    add_city_totals(cells, MU_YEARS, groups)
    drop = cells[(2016, NORRMALM, "Alla")][0] - cells[(2015, NORRMALM, "Alla")][0]
    assert round(drop, 1) == -2.0, "the deck says Norrmalm fell two points 2015 -> 2016"

    rows = []
    for year in MU_YEARS:
        for area in [CITY, *DISTRICTS]:
            for group in groups:
                share, n = cells[(year, area, group)]
                if area == CITY and group == "Alla":
                    note = (
                        "Exempeldata: stadens offentliga nivå (cirka 65 %), antal svar påhittat"
                    )
                else:
                    note = INVENTED
                if (year, area, group) in MU_NOT_AVAILABLE:
                    share_text = count_text = NOT_AVAILABLE
                else:
                    share_text = format_share(share)
                    count_text = format_count(n, NBSP if area == CITY else "")
                rows.append(
                    [
                        "Medborgarundersökningen",
                        str(year),
                        area,
                        group,
                        "trygg_kvall",
                        share_text,
                        count_text,
                        note,
                    ]
                )

    lines = [
        "Medborgarundersökningen 2011\u20132016: Trygg ensam hem på kvällen (exempeldata)",
        "",
        *excel_lines([HEADER]),
        *excel_lines(rows),
        "",
        "Källa: Medborgarundersökningen, Stockholms stad. "
        "Värdena för stadsdelsområdena är påhittade exempelvärden.",
        'Anm. Andel i procent av dem som svarat. ".." = för få svar.',
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return len(rows)


# --------------------------------------------------------------------------- Stockholmsenkäten

SE_YEARS = [2010, 2012, 2014, 2016]
SE_GROUPS = ["Flickor åk 9", "Pojkar åk 9", "Flickor gy 2", "Pojkar gy 2"]
SE_INDICATORS = ["trygg_ute_sent", "otrygg_ute_sent", "roker"]
# Total answers per wave in the whole city; invented, near the public ~10,000.
SE_CITY_N = {2010: 10412, 2012: 9876, 2014: 10153, 2016: 9968}
# City otrygghet per group: girls ~30 % and boys gy 2 9 % in 2016 are the public levels.
SE_CITY_UNSAFE = {
    "Flickor åk 9": {2010: 30.4, 2012: 29.1, 2014: 30.8, 2016: 31.2},
    "Pojkar åk 9": {2010: 9.6, 2012: 8.4, 2014: 9.1, 2016: 8.8},
    "Flickor gy 2": {2010: 29.6, 2012: 30.3, 2014: 29.2, 2016: 30.5},
    "Pojkar gy 2": {2010: 8.2, 2012: 8.7, 2014: 7.9, 2016: 9.0},
}
# City smoking per group: falling, with 2016 the lowest for åk 9; invented.
SE_CITY_SMOKING = {
    "Flickor åk 9": {2010: 15.2, 2012: 13.4, 2014: 11.1, 2016: 8.6},
    "Pojkar åk 9": {2010: 13.1, 2012: 11.8, 2014: 10.2, 2016: 7.9},
    "Flickor gy 2": {2010: 24.3, 2012: 23.1, 2014: 21.4, 2016: 19.2},
    "Pojkar gy 2": {2010: 22.6, 2012: 21.5, 2014: 20.3, 2016: 18.4},
}
# (relative pupil count, share of answers from gy 2, otrygghet relative to the city); invented.
# Gy 2 answers are few in some districts, which gives the small cells suppression must handle.
SE_DISTRICT_BASE = {
    "Rinkeby-Kista": (820, 0.46, 1.35),
    "Spånga-Tensta": (660, 0.46, 1.30),
    "Hässelby-Vällingby": (830, 0.50, 1.05),
    "Bromma": (830, 0.50, 0.82),
    "Kungsholmen": (640, 0.48, 0.85),
    "Norrmalm": (510, 0.47, 0.86),
    "Östermalm": (720, 0.50, 0.80),
    "Södermalm": (830, 0.50, 0.90),
    "Enskede-Årsta-Vantör": (830, 0.50, 1.10),
    "Skarpnäck": (520, 0.16, 1.00),
    "Farsta": (700, 0.46, 1.12),
    "Älvsjö": (330, 0.24, 0.90),
    "Hägersten-Liljeholmen": (840, 0.50, 0.95),
    "Skärholmen": (480, 0.17, 1.30),
}
# Invented ".." cells, and roker cells published as "–" (nobody in a tiny group smokes).
SE_NOT_AVAILABLE = {
    (2012, "Skärholmen", "Pojkar gy 2", "trygg_ute_sent"),
    (2012, "Skärholmen", "Pojkar gy 2", "otrygg_ute_sent"),
    (2010, "Älvsjö", "Flickor gy 2", "roker"),
}
SE_ZERO = {
    (2016, "Älvsjö", "Pojkar gy 2", "roker"),
    (2016, "Skarpnäck", "Pojkar gy 2", "roker"),
}
SE_CITY_PUBLIC_NOTE = "Exempeldata: nära stadens offentliga nivå, antal svar påhittat"


def district_factors(rng: np.random.Generator, base: dict, spread: float) -> dict:
    """Return a noisy multiplier per district around its base level."""
    return {d: base[d] * float(np.exp(rng.normal(0, spread))) for d in DISTRICTS}


def scaled_to_city(city_share: float, factors: dict, counts: dict) -> dict:
    """Scale district factors so that their n-weighted mean is exactly the city share."""
    total = sum(counts.values())
    mean = sum(factors[d] * counts[d] for d in DISTRICTS) / total
    return {d: city_share * factors[d] / mean for d in DISTRICTS}


def stockholmsenkat_district_cells(rng: np.random.Generator) -> dict:
    """Return {(year, district, group, indicator): (share, n)} including derived 'Alla'."""
    cells = {}
    unsafe_base = {d: base[2] for d, base in SE_DISTRICT_BASE.items()}
    smoking_base = {d: 1.0 for d in DISTRICTS}
    for year in SE_YEARS:
        base_total = sum(base[0] for base in SE_DISTRICT_BASE.values())
        safety_n, smoking_n = {}, {}
        for district, (pupils, gy2_fraction, _) in SE_DISTRICT_BASE.items():
            n = int(round(pupils * SE_CITY_N[year] / base_total * (1 + rng.normal(0, 0.03))))
            gy2 = gy2_fraction * float(np.exp(rng.normal(0, 0.08)))
            girls = rng.normal(0.5, 0.02, size=2)
            mix = np.array(
                [
                    (1 - gy2) * girls[0],
                    (1 - gy2) * (1 - girls[0]),
                    gy2 * girls[1],
                    gy2 * (1 - girls[1]),
                ]
            )
            for group, group_n in zip(SE_GROUPS, split_count(n, mix)):
                safety_n[(district, group)] = int(group_n)
                # A few pupils skip the tobacco question.
                skipped = int(rng.binomial(group_n, 0.015))
                smoking_n[(district, group)] = int(group_n) - skipped

        for group in SE_GROUPS:
            counts = {d: safety_n[(d, group)] for d in DISTRICTS}
            unsafe = scaled_to_city(
                SE_CITY_UNSAFE[group][year], district_factors(rng, unsafe_base, 0.10), counts
            )
            smoking_counts = {d: smoking_n[(d, group)] for d in DISTRICTS}
            smoking_factors = district_factors(rng, smoking_base, 0.18)
            for d in DISTRICTS:
                if (year, d, group, "roker") in SE_ZERO:
                    smoking_factors[d] = 0.0
            smoking = scaled_to_city(SE_CITY_SMOKING[group][year], smoking_factors, smoking_counts)
            for d in DISTRICTS:
                # The rest answered "vet inte" or skipped the follow-up, so trygg + otrygg < 100.
                neither = rng.uniform(3.0, 8.0)
                cells[(year, d, group, "otrygg_ute_sent")] = (unsafe[d], counts[d])
                cells[(year, d, group, "trygg_ute_sent")] = (100 - unsafe[d] - neither, counts[d])
                cells[(year, d, group, "roker")] = (smoking[d], smoking_counts[d])

        for d in DISTRICTS:
            for indicator in SE_INDICATORS:
                parts = [cells[(year, d, group, indicator)] for group in SE_GROUPS]
                n = sum(part_n for _, part_n in parts)
                share = sum(s * part_n for s, part_n in parts) / n
                cells[(year, d, "Alla", indicator)] = (share, n)
    return cells


def write_stockholmsenkaten(path: Path, rng: np.random.Generator) -> int:
    """Write the pupil survey as Excel 'CSV UTF-8' (with BOM) and return its data row count."""
    groups = ["Alla", *SE_GROUPS]
    cells = stockholmsenkat_district_cells(rng)
    add_city_totals(cells, SE_YEARS, groups, SE_INDICATORS)

    rows = []
    for year in SE_YEARS:
        for area in [CITY, *DISTRICTS]:
            for group in groups:
                for indicator in SE_INDICATORS:
                    key = (year, area, group, indicator)
                    share, n = cells[key]
                    share_text, count_text = format_share(share), str(n)
                    if key in SE_NOT_AVAILABLE:
                        share_text = count_text = NOT_AVAILABLE
                    elif key in SE_ZERO:
                        share_text = ZERO
                    public = area == CITY and group != "Alla" and indicator == "otrygg_ute_sent"
                    note = SE_CITY_PUBLIC_NOTE if public else INVENTED
                    rows.append(
                        [
                            "Stockholmsenkäten",
                            str(year),
                            area,
                            group,
                            indicator,
                            share_text,
                            count_text,
                            note,
                        ]
                    )

    for key in SE_ZERO:
        assert cells[key][1] < 41, f"zero cell {key} should be a tiny group, n={cells[key][1]}"
    lines = [*excel_lines([HEADER]), *excel_lines(rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return len(rows)


def main() -> None:
    """Regenerate all three files and print their row counts."""
    rng = np.random.default_rng(SEED)
    counts = {
        "indikatorer.csv": write_indicators(DATA_DIR / "indikatorer.csv"),
        "medborgarundersokningen.csv": write_medborgarundersokningen(
            DATA_DIR / "medborgarundersokningen.csv", rng
        ),
        "stockholmsenkaten.csv": write_stockholmsenkaten(DATA_DIR / "stockholmsenkaten.csv", rng),
    }
    for name, rows in counts.items():
        print(f"{name}: {rows} rows")


if __name__ == "__main__":
    main()

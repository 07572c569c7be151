"""When problems happen and what an action changed: observations by weekday × hour and by month against the
council's calendar, and each action's before/after comparison, as frames, Swedish sentences and Altair charts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from lagesbild.views.charts import FONT_SIZE, PALETTE, SWEDISH, SWEDISH_LOCALE
from lagesbild.views.maps import count_text
from lagesbild.cooperation import COUNCIL
from lagesbild.formatting import NBSP, date as format_date, number, percent
from lagesbild.stats import RateRatio, rate_ratio

# Altair is imported inside the chart builders: Karta imports this module on every run and draws its charts
# only while "När händer det?" is open, and Altair is about 25 MB of each server's memory.
if TYPE_CHECKING:
    import altair as alt

WEEKDAYS = ("Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag")
NO_TIME = "Tid saknas"
HOURS = tuple(f"{h:02d}" for h in range(24))
HOUR_COLUMNS = (*HOURS, NO_TIME)
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
SHORT_MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
LOCALE = {**SWEDISH_LOCALE, "time": {
    "dateTime": "%A %e %B %Y %X", "date": "%Y-%m-%d", "time": "%H:%M:%S", "periods": ["", ""],
    "days": ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
    "shortDays": ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
    "months": list(MONTHS), "shortMonths": list(SHORT_MONTHS)}}

# The comparison around an action: at most this long on either side, and no conclusion below this many
# observations on either side (a Poisson interval on fewer says nothing a reader can act on).
WINDOW_MONTHS = 12
MIN_COUNT = 5
DAYS_PER_MONTH = 365.25 / 12
TOO_FEW = "För få iakttagelser för en slutsats"
EFFORT_NOTE = "Fler eller färre iakttagelser kan också bero på hur mycket man letat och rapporterat."

BAR_COLOUR = PALETTE[0]
BEFORE_COLOUR, AFTER_COLOUR, SAME_DAY_COLOUR = PALETTE[0], PALETTE[1], "#9A9A9A"
MEETING_COLOUR = "#000000"
WHEEL_COLOUR = "#5F5F5F"
EMPTY_COLOUR = "#F0F0F0"
HEAT_RANGE = ["#BDD7EE", "#08306B"]  # light to dark blue: one hue, readable with every colour vision


# --------------------------------------------------------------------------- the council's calendar

@dataclass(frozen=True)
class YearMark:
    """One recurring event of the årshjul: a fixed day, a span of days, or an ISO week (a school holiday)."""

    label: str
    month: int = 0
    day: int = 0
    last_month: int = 0
    last_day: int = 0
    week: int = 0

    def dates(self, year: int) -> tuple[dt.date, dt.date | None]:
        """First and last day in `year`; the last is None for a single day."""
        if self.week:
            return dt.date.fromisocalendar(year, self.week, 1), dt.date.fromisocalendar(year, self.week, 7)
        last = dt.date(year, self.last_month, self.last_day) if self.last_month else None
        return dt.date(year, self.month, self.day), last


# What Brå's EST guidance suggests keeping in an årshjul, for Stockholm: the school holidays (Stockholms stad's
# sportlov week 9 and höstlov week 44), Valborg, the summer, school start and New Year. The days are approximate.
YEAR_WHEEL = (
    YearMark("Sportlov", week=9),
    YearMark("Valborg", 4, 30),
    YearMark("Sommar", 6, 1, 8, 31),
    YearMark("Skolstart", 8, 20),
    YearMark("Höstlov", week=44),
    YearMark("Nyår", 12, 31),
)
MEETING = "Rådsmöte"
CALENDAR_NOTE = ("Årshjulet: sportlov (vecka 9), valborg, sommar (juni–augusti), skolstart (omkring 20 augusti), "
                 "höstlov (vecka 44) och nyår; rådsmötena enligt mötesregistret.")


def calendar_marks(meetings: pd.DataFrame, first: dt.date, last: dt.date) -> pd.DataFrame:
    """The council's meetings and the årshjul between two days: label, kind, start, end (None for one day)."""
    rows = []
    for year in range(first.year, last.year + 1):
        for mark in YEAR_WHEEL:
            start, end = mark.dates(year)
            if start <= last and (end or start) >= first:
                rows.append((mark.label, "årshjul", start, end))
    held = meetings.loc[meetings["forum_id"] == COUNCIL, "date"] if len(meetings) else []
    rows += [(MEETING, "rådsmöte", d, None) for d in sorted(set(held)) if first <= d <= last]
    return pd.DataFrame(rows, columns=["label", "kind", "start", "end"]).sort_values("start", ignore_index=True)


# --------------------------------------------------------------------------- counting

def _hour(value: object) -> int | None:
    if isinstance(value, (dt.time, dt.datetime)):
        return value.hour
    if isinstance(value, str) and value.split(":")[0].strip().isdigit():
        hour = int(value.split(":")[0])
        return hour if 0 <= hour < 24 else None
    return None


def hour_labels(observations: pd.DataFrame) -> pd.Series:
    """Each observation's hour as "00"–"23", or "Tid saknas" (also when the frame has no `time` column)."""
    if "time" not in observations:
        return pd.Series(NO_TIME, index=observations.index, dtype=object)
    hours = [_hour(v) for v in observations["time"]]
    return pd.Series([NO_TIME if h is None else HOURS[h] for h in hours], index=observations.index, dtype=object)


def weekday_hour_counts(observations: pd.DataFrame) -> pd.DataFrame:
    """Observations per weekday (Monday first) and hour, "Tid saknas" a column of its own: all 7 × 25 cells."""
    days = [d.weekday() for d in observations["date"]]  # dates or timestamps; Monday is 0
    counts = pd.DataFrame({"weekday": days, "hour": hour_labels(observations)}).value_counts()
    grid = pd.MultiIndex.from_product([range(7), HOUR_COLUMNS], names=["weekday", "hour"])
    frame = counts.reindex(grid, fill_value=0).rename("count").reset_index()
    frame["count"] = frame["count"].astype(int)
    frame["day"] = frame["weekday"].map(dict(enumerate(WEEKDAYS)))
    return frame[["weekday", "day", "hour", "count"]]


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_label(month: dt.date) -> str:
    """'juli 2016'."""
    return f"{MONTHS[month.month - 1]} {month.year}"


def month_counts(observations: pd.DataFrame, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Observations per calendar month, every month from `start` (else the first) to `end` (else the last) listed."""
    dates = list(observations["date"])
    first = start or (min(dates) if dates else end)
    last = end or (max(dates) if dates else start)
    if first is None or last is None:
        return pd.DataFrame(columns=["month", "next", "label", "count"])
    first, last = _month_start(first), _month_start(max(first, last))
    months = []
    while first <= last:
        months.append(first)
        first = _next_month(first)
    counts = pd.Series([d.year * 12 + d.month for d in dates], dtype="int64").value_counts()
    return pd.DataFrame({"month": months, "next": [_next_month(m) for m in months],
                         "label": [month_label(m) for m in months],
                         "count": [int(counts.get(m.year * 12 + m.month, 0)) for m in months]})


# --------------------------------------------------------------------------- charts

def _configured(chart: alt.TopLevelMixin, height: int) -> alt.TopLevelMixin:
    import altair as alt
    # fit-x: the width follows the page, the height stays the plot's own (as in charts.trend_chart).
    return chart.properties(height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")).configure(
        locale=LOCALE, **SWEDISH).configure_view(strokeWidth=0)


def _title(title: str, subtitle: list[str]) -> alt.Title:
    import altair as alt
    return alt.Title(title, subtitle=subtitle, fontSize=24, subtitleFontSize=16, subtitleColor="#333333",
                     anchor="start", offset=14)


def weekday_hour_chart(counts: pd.DataFrame, title: str, subtitle: list[str], label_every: int = 1) -> alt.LayerChart:
    """A heatmap: weekdays down (Monday first), hours across, "Tid saknas" last; the count written in each cell.

    `label_every` hours get a label (3 in a narrow column); "Tid saknas" always has its own."""
    import altair as alt
    top = max(int(counts["count"].max()), 1) if len(counts) else 1
    data = counts.assign(time_text=[f"kl. {h}" if h != NO_TIME else NO_TIME for h in counts["hour"]])
    x = alt.X("hour:O", sort=list(HOUR_COLUMNS), scale=alt.Scale(domain=list(HOUR_COLUMNS)),
              title="Klockslag (timme)", axis=alt.Axis(
                  labelAngle=0, labelOverlap=False, labelFlush=False, orient="top", labelFontSize=FONT_SIZE - 4,
                  labelExpr=f"datum.value == '{NO_TIME}' ? ['Tid', 'saknas'] : "
                            f"(toNumber(datum.value) % {label_every} == 0 ? datum.value : '')"))
    y = alt.Y("day:O", sort=list(WEEKDAYS), scale=alt.Scale(domain=list(WEEKDAYS)), title=None)
    tooltip = [alt.Tooltip("day:N", title="Veckodag"), alt.Tooltip("time_text:N", title="Klockslag"),
               alt.Tooltip("count:Q", title="Antal iakttagelser")]
    base = alt.Chart(data)
    # Empty cells are a neutral grey, so that even one observation stands out from none.
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.condition("datum.count == 0", alt.value(EMPTY_COLOUR), alt.Color(
            "count:Q", title="Antal", scale=alt.Scale(domain=[1, max(top, 2)], range=HEAT_RANGE),
            legend=alt.Legend(orient="right", gradientLength=200, format="d",
                              **({"values": list(range(1, top + 1))} if top <= 5 else {"tickCount": 5})))))
    numbers = base.transform_filter("datum.count > 0").mark_text(fontSize=FONT_SIZE - 4, fontWeight="bold").encode(
        x=x, y=y, text="count:Q", tooltip=tooltip,
        color=alt.condition(f"datum.count > {top / 2}", alt.value("white"), alt.value("#222222")))
    return _configured(alt.layer(cells, numbers).properties(title=_title(title, subtitle)), 7 * 46)


def _month_ticks(months: int, most: int = 14) -> dict[str, Any]:
    """Every month, or every 2nd, 3rd, 6th or 12th: at most about `most` labels."""
    step = next((s for s in (1, 2, 3, 6) if months <= most * s), 12)
    return {"interval": "month", "step": step}


def month_chart(counts: pd.DataFrame, marks: pd.DataFrame, title: str, subtitle: list[str]) -> alt.LayerChart:
    """Bars per month with the årshjul (shaded spans, dashed days) and the council's meetings (black rules)."""
    import altair as alt
    data = counts.assign(start=pd.to_datetime(counts["month"]), end=pd.to_datetime(counts["next"]))[
        ["start", "end", "label", "count"]]
    span = [data["start"].min().isoformat(), data["end"].max().isoformat()]
    x_scale = alt.Scale(domain=span, nice=False)
    x = alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(
        format="%b %Y", tickCount=_month_ticks(len(data)), labelAngle=0, grid=False, labelOverlap=True))
    top = max(int(data["count"].max()), 1)
    y_scale = alt.Scale(domain=[0, top * 1.45], nice=False)
    bars = alt.Chart(data).mark_rect(color=BAR_COLOUR, stroke="white", strokeWidth=2).encode(
        x=x, x2="end:T", y=alt.Y("count:Q", title="Antal iakttagelser", scale=y_scale,
                                 axis=alt.Axis(format="d", tickMinStep=1)), y2=alt.datum(0),
        tooltip=[alt.Tooltip("label:N", title="Månad"), alt.Tooltip("count:Q", title="Antal iakttagelser")])
    layers: list[alt.Chart] = []
    shown = marks.assign(start=pd.to_datetime(marks["start"]), end=pd.to_datetime(marks["end"]))
    spans = shown[shown["end"].notna()].assign(middle=lambda f: f["start"] + (f["end"] - f["start"]) / 2)
    days = shown[shown["end"].isna()]
    # Labels run upwards from the top, just left of their line or in the middle of their band.
    text = {"angle": 270, "align": "right", "baseline": "bottom", "fontSize": FONT_SIZE - 4, "dy": -3}
    if len(spans):
        layers.append(alt.Chart(spans).mark_rect(color=PALETTE[6], opacity=0.22, clip=True).encode(
            x=alt.X("start:T", scale=x_scale), x2="end:T", tooltip=[alt.Tooltip("label:N", title="Årshjul")]))
        layers.append(alt.Chart(spans).mark_text(color=WHEEL_COLOUR, clip=True, **{**text, "baseline": "middle", "dy": 0}).encode(
            x=alt.X("middle:T", scale=x_scale), y=alt.value(4), text="label:N"))
    for kind, colour, dash, width in (("årshjul", WHEEL_COLOUR, [6, 5], 2), ("rådsmöte", MEETING_COLOUR, [], 3)):
        rows = days[days["kind"] == kind]
        if len(rows):
            rule = alt.Chart(rows).mark_rule(color=colour, strokeDash=dash, strokeWidth=width)
            layers.append(rule.encode(x=alt.X("start:T", scale=x_scale),
                                      tooltip=[alt.Tooltip("label:N", title="Händelse"),
                                               alt.Tooltip("start:T", title="Datum", format="%Y-%m-%d")]))
            layers.append(alt.Chart(rows).mark_text(
                color=colour, fontWeight="bold" if kind == "rådsmöte" else "normal", **text).encode(
                x=alt.X("start:T", scale=x_scale), y=alt.value(4), text="label:N"))
    layered = alt.layer(*layers[:1], bars, *layers[1:]) if layers else alt.layer(bars)
    return _configured(layered.properties(title=_title(title, subtitle)), 380)


# --------------------------------------------------------------------------- when problems happen

@dataclass
class Patterns:
    """When the chosen observations happened: counts, sentences and the two charts (None when there is nothing)."""

    total: int
    without_time: int
    weekday_hour: pd.DataFrame
    months: pd.DataFrame
    marks: pd.DataFrame
    lines: list[str] = field(default_factory=list)
    weekday_hour_chart: alt.LayerChart | None = None
    month_chart: alt.LayerChart | None = None

    @property
    def text(self) -> str:
        """The sentences as Markdown lines."""
        return "  \n".join(self.lines)


def _busiest(counts: pd.DataFrame) -> str | None:
    timed = counts[counts["hour"] != NO_TIME]
    if not timed["count"].sum():
        return None
    best = timed.loc[timed["count"].idxmax()]
    hour = int(best["hour"])
    return (f"Flest iakttagelser med klockslag: {best['day'].lower()}ar kl. {hour:02d}–{(hour + 1) % 24:02d} "
            f"({number(best['count'])} st).")


def _days_with(by_day: pd.Series, count: int) -> str:
    """'onsdag och lördag (4 st var)': every weekday with that count, Monday first."""
    days = [WEEKDAYS[int(d)].lower() for d, n in by_day.items() if n == count]
    names = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " och " + days[-1]
    return f"{names} ({number(int(count))} st{'' if len(days) == 1 else ' var'})"


def build_patterns(observations: pd.DataFrame, meetings: pd.DataFrame, where: str = "",
                   start: dt.date | None = None, end: dt.date | None = None) -> Patterns:
    """Weekday × hour and month counts of the (already filtered) observations, with the council's calendar.

    `where` names the selection in the chart titles ("Hötorget", "urvalet på kartan"); `start`/`end` are the
    chosen period (open ends: the first and last observation)."""
    total = len(observations)
    grid = weekday_hour_counts(observations)
    without_time = int(grid.loc[grid["hour"] == NO_TIME, "count"].sum())
    months = month_counts(observations, start, end)
    if not total or not len(months):
        return Patterns(0, 0, grid, months, calendar_marks(meetings, dt.date.max, dt.date.min),
                        ["Inga iakttagelser i urvalet."])
    marks = calendar_marks(meetings, months["month"].iloc[0], months["next"].iloc[-1] - dt.timedelta(days=1))
    lines = [f"{count_text(total)}. {number(without_time)} av dem saknar klockslag och räknas i kolumnen "
             f"”{NO_TIME}”: de har en veckodag men ingen timme."]
    lines += [line for line in [_busiest(grid)] if line]
    by_day = grid.groupby("weekday", sort=True)["count"].sum()
    lines.append(f"Flest per veckodag: {_days_with(by_day, by_day.max())}; "
                 f"färst: {_days_with(by_day, by_day.min())}.")
    suffix = f" – {where}" if where else ""
    heat = weekday_hour_chart(grid, f"Veckodag och klockslag{suffix}", [
        "Antal iakttagelser per veckodag och timme (kl. 21 = 21.00–21.59).",
        f"”{NO_TIME}”: iakttagelser utan klockslag, räknade per veckodag."])
    by_month = month_chart(months, marks, f"Iakttagelser per månad{suffix}", [
        "Gula band: sommar och lov. Streckade linjer: valborg, skolstart, nyår. Svarta linjer: rådsmöten."])
    return Patterns(total, without_time, grid, months, marks, lines, heat, by_month)


def place_patterns(observations: pd.DataFrame, meetings: pd.DataFrame, place: str) -> Patterns:
    """When observations happen at one place, over all its observations."""
    return build_patterns(observations[observations["place"] == place], meetings, place)


# --------------------------------------------------------------------------- what an action changed

@dataclass
class BeforeAfter:
    """Observations at a place before and after one action, their rate ratio and what may be said about it."""

    place: str
    action_date: dt.date
    title: str  # the action in one line, for a heading or a choice list (plain text, not Markdown)
    before: tuple[dt.date, dt.date] | None  # first and last day counted; None when there is no such time
    after: tuple[dt.date, dt.date] | None
    result: RateRatio
    same_day: int
    other_actions: int
    months: pd.DataFrame  # month, side ("Före" | "Samma dag" | "Efter"), count
    enough: bool
    lines: list[str] = field(default_factory=list)

    def chart(self) -> alt.LayerChart:
        """Observations per month, coloured before/after, the action as a black rule, each side's mean per month."""
        return before_after_chart(self)


def _months_between(first: dt.date, last: dt.date) -> float:
    return ((last - first).days + 1) / DAYS_PER_MONTH


def _period(first: dt.date, last: dt.date) -> str:
    return f"{format_date(first)} – {format_date(last)}"


def _shift_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    following = _next_month(dt.date(year, month, 1))
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def _verdict(r: RateRatio) -> str:
    ratio = number(r.ratio, 2)
    interval = f"95{NBSP}% konfidensintervall {number(r.low, 2)}–{number(r.high, 2)}"
    if r.high < 1:
        change = f"{percent((1 - r.ratio) * 100, 0)} färre per månad; minskningen är statistiskt säkerställd"
    elif r.low > 1:
        change = f"{percent((r.ratio - 1) * 100, 0)} fler per månad; ökningen är statistiskt säkerställd"
    else:
        change = "skillnaden är inte statistiskt säkerställd"
    return f"Kvoten efter/före är {ratio} ({interval}): {change}."


def _lines(c: BeforeAfter) -> list[str]:
    r = c.result
    lines = []
    if c.before is None:
        lines.append("Det finns ingen tid före åtgärden i registret att jämföra med.")
    else:
        lines.append(f"Före: {count_text(r.before)} på {number(r.before_exposure, 1)} månader "
                     f"({_period(*c.before)}), {number(r.before / r.before_exposure, 1)} per månad.")
    if c.after is None:
        lines.append("Åtgärden är för ny för en jämförelse: det finns ännu ingen tid efter den.")
    else:
        lines.append(f"Efter: {count_text(r.after)} på {number(r.after_exposure, 1)} månader "
                     f"({_period(*c.after)}), {number(r.after / r.after_exposure, 1)} per månad.")
    if c.enough:
        lines.append(_verdict(r))
    elif c.before is not None and c.after is not None:
        lines.append(f"{TOO_FEW} (det behövs minst {MIN_COUNT} iakttagelser både före och efter).")
    if c.same_day:
        lines.append(f"{count_text(c.same_day)} samma dag som åtgärden räknas varken före eller efter.")
    if c.other_actions:
        others = "1 annan åtgärd" if c.other_actions == 1 else f"{number(c.other_actions)} andra åtgärder"
        lines.append(f"Under samma tid gjordes också {others} på platsen: "
                     "vad just den här åtgärden ändrade går inte att skilja ut.")
    lines.append(EFFORT_NOTE)
    return lines


def before_after(observations: pd.DataFrame, place: str, action_date: dt.date, on: dt.date,
                 record_start: dt.date | None = None, title: str = "",
                 other_action_dates: tuple[dt.date, ...] = ()) -> BeforeAfter:
    """The place's observations up to WINDOW_MONTHS before and after `action_date`, counted from `record_start`
    (else the first observation in `observations`, whatever its place) to `on`; the action's own day is left out."""
    start = record_start or (min(observations["date"]) if len(observations) else action_date)
    first = max(start, _shift_months(action_date, -WINDOW_MONTHS))
    last = min(on, _shift_months(action_date, WINDOW_MONTHS))
    before = (first, action_date - dt.timedelta(days=1)) if first < action_date else None
    after = (action_date + dt.timedelta(days=1), last) if last > action_date else None
    seen = [d for d in observations.loc[observations["place"] == place, "date"] if first <= d <= last]
    n_before = sum(d < action_date for d in seen)
    n_after = sum(d > action_date for d in seen)
    same_day = len(seen) - n_before - n_after
    result = rate_ratio(n_after, _months_between(*after) if after else 0.0,
                        n_before, _months_between(*before) if before else 0.0)
    side = ["Före" if d < action_date else "Efter" if d > action_date else "Samma dag" for d in seen]
    months = (pd.DataFrame({"month": [_month_start(d) for d in seen], "side": side}, dtype=object)
              .value_counts().rename("count").reset_index()) if seen else \
        pd.DataFrame(columns=["month", "side", "count"])
    others = sum(first <= d <= last and d != action_date for d in other_action_dates)
    enough = before is not None and after is not None and min(n_before, n_after) >= MIN_COUNT
    comparison = BeforeAfter(place, action_date, title or format_date(action_date), before, after, result,
                             same_day, others, months, enough)
    comparison.lines = _lines(comparison)
    return comparison


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:–") + "…"  # whole words


def action_effects(observations: pd.DataFrame, actions: pd.DataFrame, place: str, on: dt.date) -> list[BeforeAfter]:
    """A before/after comparison for every action done at the place by `on`, newest first.

    `observations` are all the observations known on `on` (every place: the first one dates the register's start)."""
    done = actions[(actions["place"] == place) & (actions["status"] != "planerad")] if len(actions) else actions
    done = done[done["date"] <= on] if len(done) else done
    if not len(done):
        return []
    dates = tuple(done["date"])
    record_start = min(observations["date"]) if len(observations) else None
    here = observations[observations["place"] == place]
    effects = []
    for row in done.sort_values("date", ascending=False, kind="stable").itertuples():
        title = f"{format_date(row.date)} – {_short(row.description)}"
        others = tuple(d for d in dates if d != row.date)
        effects.append(before_after(here, place, row.date, on, record_start or row.date, title, others))
    return effects


def before_after_chart(c: BeforeAfter, compact: bool = False) -> alt.LayerChart:
    """Observations per month around the action: bars by side, a rule at the action, each side's mean per month.

    compact: for a slide beside the place table – low, at most six month labels, no title (the slide's heading
    names the place and the action)."""
    import altair as alt
    first = (c.before or c.after or (c.action_date, c.action_date))[0]
    last = (c.after or c.before or (c.action_date, c.action_date))[1]
    months = month_counts(pd.DataFrame({"date": []}), first, last)[["month", "next", "label"]]
    data = months.merge(c.months, on="month", how="left") if len(c.months) else months.assign(side=None, count=0)
    sides = ["Före", "Samma dag", "Efter"] if c.same_day else ["Före", "Efter"]
    data = data.assign(count=data["count"].fillna(0).astype(int), side=data["side"].fillna("Före"),
                       start=pd.to_datetime(data["month"]), end=pd.to_datetime(data["next"]))
    # Stacked by hand (before, same day, after), as ranged bars on a time axis do not stack by themselves.
    data = data.assign(rank=data["side"].map(sides.index)).sort_values(["start", "rank"], ignore_index=True)
    data["top"] = data.groupby("start")["count"].cumsum()
    data["bottom"] = data["top"] - data["count"]
    data = data[["start", "end", "label", "side", "count", "top", "bottom"]]
    x_scale = alt.Scale(domain=[pd.Timestamp(first).isoformat(), pd.Timestamp(last + dt.timedelta(days=1)).isoformat()],
                        nice=False)
    x = alt.X("start:T", title=None, scale=x_scale, axis=alt.Axis(
        format="%b %Y", tickCount=_month_ticks(len(months), 6 if compact else 14), labelAngle=0,
        grid=False, labelOverlap=True))
    colours = {"Före": BEFORE_COLOUR, "Samma dag": SAME_DAY_COLOUR, "Efter": AFTER_COLOUR}
    colour = alt.Color("side:N", title=None, sort=sides, scale=alt.Scale(
        domain=sides, range=[colours[s] for s in sides]), legend=alt.Legend(columnPadding=14, symbolSize=220))
    rates = [(c.before, c.result.before / c.result.before_exposure if c.before else 0, "Före"),
             (c.after, c.result.after / c.result.after_exposure if c.after else 0, "Efter")]
    ceiling = max([1, *data["top"], *(rate for _, rate, _ in rates)]) * 1.3  # room for the label at the top
    bars = alt.Chart(data).mark_rect(stroke="white", strokeWidth=1, opacity=0.55).encode(
        x=x, x2="end:T", y=alt.Y("top:Q", title="Iakttagelser per månad", scale=alt.Scale(domain=[0, ceiling]),
                                 axis=alt.Axis(format="d", tickMinStep=1)),
        y2="bottom:Q", color=colour,
        tooltip=[alt.Tooltip("label:N", title="Månad"), alt.Tooltip("side:N", title="Del"),
                 alt.Tooltip("count:Q", title="Antal iakttagelser")])
    means = pd.DataFrame([{"start": pd.Timestamp(p[0]), "end": pd.Timestamp(p[1] + dt.timedelta(days=1)),
                           "rate": rate, "side": side, "text": f"{side}: {number(rate, 1)} per månad"}
                          for p, rate, side in rates if p])
    action = pd.DataFrame({"start": [pd.Timestamp(c.action_date)], "text": ["Åtgärd"]})
    layers = [bars]
    if len(means):
        layers.append(alt.Chart(means).mark_rule(strokeWidth=4, strokeDash=[10, 4]).encode(
            x=alt.X("start:T", scale=x_scale), x2="end:T", y="rate:Q", color=colour,
            tooltip=[alt.Tooltip("text:N", title="Medel")]))
    layers.append(alt.Chart(action).mark_rule(color=MEETING_COLOUR, strokeWidth=3).encode(
        x=alt.X("start:T", scale=x_scale)))
    layers.append(alt.Chart(action).mark_text(align="left", dx=6, baseline="top", fontSize=FONT_SIZE - 2,
                                               fontWeight="bold").encode(
        x=alt.X("start:T", scale=x_scale), y=alt.value(4), text="text:N"))
    if compact:
        return _configured(alt.layer(*layers), SLIDE_CHART_HEIGHT)
    return _configured(alt.layer(*layers).properties(title=_title(
        f"Före och efter {format_date(c.action_date)}", [c.place, "Staplar: antal per månad.",
                                                         "Streckat: medel per månad."])), 300)


# --------------------------------------------------------------------------- the meeting's place slide

SLIDE_CHART_HEIGHT = 95  # beside the place table, with the lines under it, within a 1280 × 720 slide


@dataclass(frozen=True)
class SlidePart:
    """A before/after comparison as a slide shows it: a heading, lines, and a chart with its alt text."""

    heading: str
    lines: list[str]
    chart_title: str
    chart_spec: dict[str, Any]
    chart_description: str


def slide_part(c: BeforeAfter) -> SlidePart:
    """What the place slide shows of one comparison; the chart spec carries its data inline."""
    description = (f"Iakttagelser per månad vid {c.place} före och efter åtgärden {format_date(c.action_date)}: "
                   f"{number(c.result.before)} före och {number(c.result.after)} efter.")
    lines = list(c.lines)
    if c.before is not None and c.after is not None:  # before and after in one bullet
        lines[:2] = [f"{lines[0]} {lines[1]}"]
    return SlidePart(f"{c.place}: {_short(c.title, 45)}", lines, f"Före och efter {format_date(c.action_date)}",
                     before_after_chart(c, compact=True).to_dict(), description)


def meeting_slide_part(observations: pd.DataFrame, actions: pd.DataFrame, on: dt.date) -> SlidePart | None:
    """The places slide's before/after: of every action done by `on`, the one that says the most – enough
    observations for a conclusion first, then the most observed on its scarcer side, then in all, then the
    latest. None when no action is done."""
    done = actions[actions["status"] != "planerad"] if len(actions) else actions
    effects = [effect for place in sorted(set(done["place"])) if len(done)
               for effect in action_effects(observations, actions, place, on)]
    if not effects:
        return None
    best = max(effects, key=lambda c: (c.enough, min(c.result.before, c.result.after),
                                       c.result.before + c.result.after, c.action_date))
    return slide_part(best)

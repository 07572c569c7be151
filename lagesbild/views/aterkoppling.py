"""Återkoppling: what residents and partners told us, what we did and what changed in a period — öppen material only.

One view model (Feedback), shown by pages/aterkoppling.py and printed as a one-page PDF by pdf_bytes().
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd

from .. import stats
from . import report
from ..formatting import date as date_text
from ..formatting import markdown_escape
from ..formatting import number, percent

ALL = "Alla"
OPEN = "öppen"
IMPROVED = ("avslutad",)
TITLE = "Återkoppling till dig som bor och verkar i stadsdelsområdet {area}"


@dataclass(frozen=True)
class Feedback:
    """One period's feedback, in plain Swedish, from öppen material only."""

    period: str
    area: str
    told: str
    themes: pd.DataFrame  # Tema, Antal
    did: list[str]
    changed: list[str]
    improved: list[str]
    note: str


def _in(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    dates = pd.to_datetime(frame["date"]).dt.date
    return frame[(frame["confidentiality"] == OPEN) & (dates >= start) & (dates <= end)]


def _share(share: float, n: object, min_answers: int) -> str:
    if pd.isna(n) or int(n) < min_answers:
        return percent(share, 0)
    low, high = stats.wilson_interval(share, int(n))
    return f"{percent(share, 0)} (troligen mellan {number(low)} och {percent(high, 0)})"


def default_period(observations: pd.DataFrame, actions: pd.DataFrame, on: dt.date) -> tuple[dt.date, dt.date]:
    """The year up to `on`, or when nothing öppen happened in it, the year up to the latest öppen entry."""
    dates = [d for frame in (observations, actions)
             for d in pd.to_datetime(frame.loc[frame["confidentiality"] == OPEN, "date"]).dt.date if d <= on]
    end = on if not dates or max(dates) > on - dt.timedelta(days=365) else max(dates)
    return end - dt.timedelta(days=365), end


def indicator_sentences(results: pd.DataFrame, indicators: pd.DataFrame, min_answers: int,
                        area: str) -> list[str]:
    """One sentence per survey indicator: the latest share in the area with its interval, and the wave before."""
    names = dict(zip(indicators["indicator"], indicators["name"]))
    sentences = []
    rows = results[(results["area"] == area) & (results["grp"] == ALL) & results["share"].notna()]
    for (survey, indicator), series in rows.groupby(["survey", "indicator"], sort=True):
        series = series.sort_values("year")
        last = series.iloc[-1]
        text = f"{names.get(indicator, indicator)}: {_share(last['share'], last['n'], min_answers)} år {last['year']}"
        if len(series) > 1:  # said plainly: whether the change since the wave before is more than chance
            before = series.iloc[-2]
            change = stats.compare(before["share"], before["n"], last["share"], last["n"])
            verdict = ("en säkerställd ökning" if change.significant and change.difference > 0 else
                       "en säkerställd minskning" if change.significant else "ingen säkerställd förändring")
            text += f", mot {percent(before['share'], 0)} år {before['year']}: {verdict}"
        sentences.append(text + ".")
    return sentences


def build_feedback(observations: pd.DataFrame, actions: pd.DataFrame, place_frame: pd.DataFrame,
                   results: pd.DataFrame, indicators: pd.DataFrame, start: dt.date, end: dt.date,
                   min_answers: int, area: str) -> Feedback:
    """The feedback for start–end; anything not marked öppen is left out whatever the caller passes."""
    told = _in(observations, start, end)
    themes = (told["category"].value_counts().rename_axis("Tema").reset_index(name="Antal")
              if not told.empty else pd.DataFrame({"Tema": [], "Antal": []}))
    done = _in(actions, start, end)
    done = done[done["status"] != "planerad"].sort_values("date", ascending=False)  # newest first
    did = [f"{date_text(r.date)} · {r.place}: {r.description} ({r.actor})" for r in done.itertuples()]
    acted = set(done["place"])
    improved = [f"{r.name}: inga fler åtgärder behövs" for r in place_frame.itertuples()
                if r.status in IMPROVED and r.name in acted]
    count = len(told)
    told_text = (f"Ni och våra samverkansparter berättade om {count} "
                 f"{'sak' if count == 1 else 'saker'} som påverkar tryggheten. Så här fördelade det sig:"
                 if count else "Inga iakttagelser som får visas öppet kom in under perioden.")
    return Feedback(
        period=f"{date_text(start)} – {date_text(end)}", area=area, told=told_text, themes=themes,
        did=did or ["Inga åtgärder som får visas öppet registrerades under perioden."],
        changed=indicator_sentences(results, indicators, min_answers, area)
        or [f"Det finns inga undersökningsresultat för {area} ännu."],
        improved=improved or ["Ingen plats avslutades under perioden."],
        note=("Här visas bara uppgifter som är märkta öppna. Andelarna kommer från enkäter; intervallet visar "
              "var den verkliga andelen troligen ligger (95 procent säkerhet)."))


def bullets(lines: list[str]) -> str:
    """The lines as a Markdown list, escaped so that typed text is shown exactly as written."""
    return "\n".join(f"- {markdown_escape(line)}" for line in lines)


def pdf_bytes(feedback: Feedback) -> bytes:
    """The feedback on one A4 page (the lists are cut short to fit)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepInFrame, SimpleDocTemplate

    report._register_fonts()
    styles = report._pdf_styles()
    story = [report._p(TITLE.format(area=feedback.area), styles["h1"]), report._p(f"Perioden {feedback.period}", styles["subtitle"]),
             report._p("Det ni berättade för oss", styles["h2"]), report._p(feedback.told, styles["body"])]
    story += [report._p(f"• {r.Tema}: {r.Antal}", styles["bullet"]) for r in feedback.themes.head(8).itertuples()]
    for heading, lines, limit in (("Det vi gjorde", feedback.did, 8), ("Det som förändrades", feedback.changed, 6),
                                  ("Platser där läget blivit bättre", feedback.improved, 5)):
        story.append(report._p(heading, styles["h2"]))
        story += [report._p(f"• {line[:300]}", styles["bullet"]) for line in lines[:limit]]
        if len(lines) > limit:
            story.append(report._p(f"… och {len(lines) - limit} till, se lägesbilden på webben.", styles["note"]))
    story.append(report._p(feedback.note, styles["note"]))
    out = io.BytesIO()
    page = SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.6 * cm,
                             bottomMargin=1.6 * cm, title=TITLE.format(area=feedback.area))
    # Shrunk to fit rather than spilling over: the handout is one page to pin on a notice board.
    page.build([KeepInFrame(page.width, page.height, story, mode="shrink")])
    return out.getvalue()

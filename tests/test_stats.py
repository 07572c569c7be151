"""Survey statistics against hand-computed values."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lagesbild import stats
from lagesbild.problems import InputError
from lagesbild.stats import two_proportion_test, wilson_interval, with_intervals
from lagesbild.surveys import ALL, CITY


def test_wilson_interval_for_30_of_100():
    # p = 0.3, n = 100, z = 1.96: centre 0.30740, half-width 0.08845 → 21.89 % – 39.59 %
    low, high = wilson_interval(30, 100)
    assert (round(low, 2), round(high, 2)) == (21.89, 39.58)


def test_wilson_interval_stays_inside_0_and_100():
    assert wilson_interval(0, 20)[0] == pytest.approx(0, abs=1e-12)
    assert wilson_interval(100, 20)[1] == pytest.approx(100, abs=1e-12)


def test_two_proportion_test_by_hand():
    # 72 % of 412 vs 70 % of 398: pooled 0.71017, se 0.031904 → z = -0.6269, p = 0.5307
    z, p = two_proportion_test(72, 412, 70, 398)
    assert (round(z, 3), round(p, 3)) == (-0.627, 0.531)
    z, p = two_proportion_test(30, 1000, 40, 1000)
    assert p < 0.001


def test_small_groups_are_suppressed_and_missing_n_gives_no_interval():
    frame = pd.DataFrame({"share": [50.0, 60.0, 70.0], "n": pd.array([40, 41, None], dtype="Int64"),
                          "missing": [None, None, None]})
    shown = with_intervals(frame, 41)
    assert pd.isna(shown.loc[0, "share"]) and shown.loc[0, "missing"] == "<n"
    assert shown.loc[1, "share"] == 60 and shown.loc[1, "low"] < 60 < shown.loc[1, "high"]
    assert shown.loc[2, "share"] == 70 and pd.isna(shown.loc[2, "low"])


# --------------------------------------------------------------------------- vectorised intervals, n_eff


def test_wilson_bounds_match_the_scalar_interval_and_leave_gaps_where_nothing_is_known():
    low, high = stats.wilson_bounds(np.array([30.0, np.nan, 50.0, 40.0]), np.array([100, 50, np.nan, 0]))
    assert (round(low[0], 2), round(high[0], 2)) == (21.89, 39.58)
    assert np.isnan(low[1:]).all() and np.isnan(high[1:]).all()


def test_weighted_rows_suppress_on_answers_but_use_the_effective_number_for_the_interval():
    frame = pd.DataFrame({"share": [30.0, 30.0], "n": pd.array([100, 40], dtype="Int64"),
                          "n_eff": [25.0, 40.0], "missing": [None, None]})
    shown = with_intervals(frame, 41)
    # n_eff = 25: centre (0.3 + 3.8415/50) / 1.15366 = 0.32664, half 1.96·√(0.21/25 + 3.8415/2500) / 1.15366
    # = 0.16936 → 15.7 % – 49.6 % (with n = 100 it would be 21.9 % – 39.6 %)
    assert (round(shown.loc[0, "low"], 1), round(shown.loc[0, "high"], 1)) == (15.7, 49.6)
    assert shown.loc[1, "missing"] == "<n" and pd.isna(shown.loc[1, "share"])


def test_compare_gives_percentage_points_and_tests_only_with_answers():
    c = stats.compare(72, 412, 70, 398)
    assert c.difference == -2 and round(c.p, 3) == 0.531 and not c.significant
    assert stats.compare(30, 1000, 40, 1000).significant
    untested = stats.compare(72, None, 70, 398)
    assert not untested.tested and not untested.significant


def test_group_dimensions_of_the_survey_groups():
    assert [stats.group_dimension(g) for g in
            (ALL, "Kvinnor", "18–29 år", "65 år och äldre", "Flickor åk 9", "Pojkar gy 2", "gy 2", "Utrikes födda")] == \
        [None, "Kön", "Ålder", "Ålder", "Kön och årskurs", "Kön och årskurs", "Årskurs", "Övriga grupper"]
    assert stats.dimensions(["Alla", "Män", "30–49 år", "Kvinnor"]) == ["Kön", "Ålder"]


# --------------------------------------------------------------------------- trends and sentences

def results(rows: list[tuple]) -> pd.DataFrame:
    """Stored-results frame from (year, area, group, share, n, missing) tuples."""
    frame = pd.DataFrame(rows, columns=["year", "area", "grp", "share", "n", "missing"])
    frame["n"] = frame["n"].astype("Int64")
    return frame.assign(survey="medborgarundersokningen", indicator="trygg_kvall", note="", is_example=False)


DECK = results([(2015, "Norrmalm", ALL, 72.0, 412, None), (2016, "Norrmalm", ALL, 70.0, 398, None),
                (2015, CITY, ALL, 65.3, 4543, None), (2016, CITY, ALL, 64.7, 4530, None)])


def trend_of(frame: pd.DataFrame, area: str = "Norrmalm", breaks=(), **kwargs) -> stats.Trend:
    selection = stats.TrendSelection("medborgarundersokningen", "trygg_kvall", area, **kwargs)
    return stats.build_trend(frame, selection, 41, list(breaks))


def test_the_decks_drop_is_two_points_and_not_significant_but_norrmalm_is_above_the_city():
    sentences = stats.change_sentences(trend_of(DECK), "Trygg ensam hem på kvällen")
    assert sentences[0] == (
        "Andelen trygga i Norrmalm minskade med 2,0 procentenheter 2015–2016 (från 72,0\u00a0% till 70,0\u00a0%); "
        "skillnaden är inte statistiskt säkerställd (n = 412 och 398). Jämfört med hela staden 2016 (64,7\u00a0%) "
        "är andelen 5,3 procentenheter högre; skillnaden är statistiskt säkerställd (n = 398 och 4\u00a0530).")
    assert sentences[1].startswith("Andelen trygga i hela staden minskade med 0,6 procentenheter 2015–2016")


def test_a_first_wave_has_nothing_to_compare_with():
    sentences = stats.change_sentences(trend_of(DECK, years=(2016, 2016)), "Trygg")
    assert "Det är den första mätningen i urvalet, så det finns inget tidigare år att jämföra med." in sentences[0]


def test_a_suppressed_latest_wave_is_not_reported_and_a_missing_n_is_not_tested():
    small = results([(2015, "Älvsjö", ALL, 60.0, 50, None), (2016, "Älvsjö", ALL, 58.0, 40, None),
                     (2015, "Bromma", ALL, 70.0, None, None), (2016, "Bromma", ALL, 75.0, None, None)])
    älvsjö = stats.change_sentences(trend_of(small, "Älvsjö", show_city=False), "Trygg")
    assert älvsjö == ["Andelen trygga i Älvsjö redovisas inte för 2016: för få svar (färre än 41)."]
    bromma = stats.change_sentences(trend_of(small, "Bromma", show_city=False), "Trygg")
    assert bromma == ["Andelen trygga i Bromma ökade med 5,0 procentenheter 2015–2016 (från 70,0\u00a0% till "
                      "75,0\u00a0%); om skillnaden är statistiskt säkerställd kan inte prövas eftersom antal svar saknas."]
    assert "Bromma 2015, 2016: konfidensintervall saknas eftersom källan inte anger antal svar." in \
        trend_of(small, "Bromma", show_city=False).notes()


def test_suppressed_and_missing_waves_show_as_dots_and_break_the_line():
    frame = results([(2013, "Skärholmen", "65 år och äldre", 50.0, 60, None),
                     (2014, "Skärholmen", "65 år och äldre", 48.0, 30, None),
                     (2015, "Skärholmen", "65 år och äldre", None, None, ".."),
                     (2016, "Skärholmen", "65 år och äldre", 52.0, 70, None),
                     (2012, CITY, ALL, 65.0, 4000, None)])
    trend = trend_of(frame, "Skärholmen", group="65 år och äldre", show_city=False)
    rows = trend.frame.set_index("year")
    assert rows.loc[2012, "missing"] == "saknas"  # a wave of the survey without a value for this group
    assert rows.loc[2014, "missing"] == "<n" and pd.isna(rows.loc[2014, "share"])
    assert rows.loc[2015, "missing"] == ".."
    assert not (rows["share"] == 0).any()  # missing is never 0
    # No segment holds a gap: the line never runs across a missing value.
    drawn = trend.frame[trend.frame["share"].notna()]
    assert drawn.groupby("segment")["year"].count().max() == 1
    assert trend.notes()[0] == '".." betyder att gruppen har färre än 41 svar och därför inte redovisas.'


def test_norrmalm_runs_on_as_norra_innerstaden_with_a_marked_break_and_no_comparison_across_it():
    frame = results([(2021, "Norrmalm", ALL, 70.0, 400, None), (2022, "Norrmalm", ALL, 69.0, 410, None),
                     (2023, "Norra innerstaden", ALL, 66.0, 800, None), (2021, CITY, ALL, 60.0, 4000, None),
                     (2022, CITY, ALL, 61.0, 4000, None), (2023, CITY, ALL, 62.0, 4000, None)])
    trend = trend_of(frame)
    assert trend.series == ["Norrmalm / Norra innerstaden", CITY]
    norrmalm = trend.frame[trend.frame["series"] == "Norrmalm / Norra innerstaden"].set_index("year")
    assert list(norrmalm["area"]) == ["Norrmalm", "Norrmalm", "Norra innerstaden"]
    assert norrmalm.loc[2022, "segment"] != norrmalm.loc[2023, "segment"]
    city = trend.frame[trend.frame["series"] == CITY]
    assert city["segment"].nunique() == 1  # the city did not change
    [merger] = trend.breaks
    assert (merger.before, merger.after) == (2022, 2023)
    assert merger.description == "Norrmalm och Östermalm slogs ihop till Norra innerstaden"
    sentence = stats.change_sentences(trend, "Trygg")[0]
    assert sentence.startswith("Andelen trygga i Norra innerstaden var 66,0\u00a0% 2023 och kan inte jämföras med "
                               "2022: Norrmalm och Östermalm slogs ihop till Norra innerstaden.")


def test_a_merged_area_points_to_its_parts_for_the_years_before():
    frame = results([(2022, "Norrmalm", ALL, 69.0, 410, None), (2023, "Norra innerstaden", ALL, 66.0, 800, None)])
    trend = trend_of(frame, "Norra innerstaden", show_city=False)
    assert trend.series == ["Norra innerstaden"]
    assert trend.frame.set_index("year").loc[2022, "missing"] == "saknas"
    assert trend.notes()[-1] == ("Norra innerstaden bildades 2023-07-01 av Norrmalm och Östermalm; välj dem under "
                                 "”Jämför med andra områden” för åren före.")


def test_a_method_change_breaks_every_series_at_its_year():
    data = ("undersökning;indikator;från_år;beskrivning\n"
            "Medborgarundersökningen;;2016;Ny insamlingsmetod: webbenkät i stället för pappersenkät\n"
            "Stockholmsenkäten;roker;2014;Nya svarsalternativ\n").encode("cp1252")
    breaks = stats.read_method_breaks("serieavbrott.csv", data)
    assert [(b.survey, b.indicator, b.year) for b in breaks] == [
        ("medborgarundersokningen", "", 2016), ("stockholmsenkaten", "roker", 2014)]
    trend = trend_of(DECK, breaks=breaks)
    assert [(b.before, b.after, b.label) for b in trend.breaks] == [(2015, 2016, "Ny metod")]
    assert trend.frame.groupby("series")["segment"].nunique().tolist() == [2, 2]
    assert "kan inte jämföras med 2015: Ny insamlingsmetod" in stats.change_sentences(trend, "Trygg")[0]


def test_method_break_file_problems_name_row_and_column():
    data = "undersökning;indikator;från_år;beskrivning\nOkänd enkät;;2016;x\nNTU;;tjugo;y\n".encode()
    with pytest.raises(InputError) as caught:
        stats.read_method_breaks("serieavbrott.csv", data)
    assert [str(p) for p in caught.value.problems] == ['serieavbrott.csv rad 3, kolumn "från_år": "tjugo" är inte ett tal']
    with pytest.raises(InputError) as caught:
        stats.read_method_breaks("serieavbrott.csv", "undersökning;indikator;från_år;beskrivning\nOkänd;;2016;x\n".encode())
    assert [str(p) for p in caught.value.problems] == ['serieavbrott.csv rad 2, kolumn "undersökning": okänd undersökning "Okänd"']


def test_the_shipped_method_breaks_are_labelled_example():
    breaks = stats.load_method_breaks()
    assert breaks and all(b.is_example and b.description.startswith("Exempel") for b in breaks)


def test_grade_9_comes_before_upper_secondary():
    groups = ["Pojkar gy 2", "Alla", "Flickor gy 2", "Pojkar åk 9", "Flickor åk 9"]
    assert sorted(groups, key=stats.group_order) == ["Alla", "Flickor åk 9", "Pojkar åk 9", "Flickor gy 2", "Pojkar gy 2"]


def test_split_by_group_draws_one_series_per_group_of_the_dimension():
    frame = results([(2016, "Norrmalm", g, 60.0 + i, 100, None)
                     for i, g in enumerate([ALL, "Kvinnor", "Män", "18–29 år"])])
    trend = trend_of(frame, split="Kön")
    assert trend.series == ["Kvinnor", "Män"] and trend.city_series is None


def test_ready_views_are_the_two_deck_slides():
    views = stats.READY_VIEWS
    assert list(views) == ["Upplevd trygghet, medborgarundersökningen",
                           "Elever som känner sig trygga ute sent en kväll, Stockholmsenkäten"]
    assert [(v.survey, v.indicator, v.area) for v in views.values()] == [
        ("medborgarundersokningen", "trygg_kvall", "Norrmalm"), ("stockholmsenkaten", "trygg_ute_sent", "Norrmalm")]


def test_negative_numbers_have_a_real_minus_sign():
    from lagesbild.formatting import number, percent

    assert number(-2.0, 1) == "\u22122,0" and percent(-0.5) == "\u22120,5\u00a0%" and number(-1234) == "\u22121\u00a0234"


def test_rate_ratio_and_its_interval_by_hand():
    # 12 after in 6 months (2 per month) against 30 before in 10 months (3 per month): RR = 2/3.
    # se(log RR) = sqrt(1/12 + 1/30) = 0.341565; log RR = -0.405465 ± 1.96 · 0.341565 → 0.3413 – 1.3021
    r = stats.rate_ratio(12, 6.0, 30, 10.0)
    assert r.ratio == pytest.approx(0.666667, abs=1e-6)
    assert (round(r.low, 3), round(r.high, 3)) == (0.341, 1.302)


def test_rate_ratio_needs_time_and_observations_before():
    assert stats.rate_ratio(3, 2.0, 0, 5.0).ratio is None
    assert stats.rate_ratio(3, 0.0, 4, 5.0).ratio is None
    nothing_after = stats.rate_ratio(0, 3.0, 6, 3.0)
    assert nothing_after.ratio == 0 and nothing_after.low is None and nothing_after.high is None

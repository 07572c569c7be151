"""The Trender view in milliseconds: choices and links (a bad link falls back with a notice), the trend, its chart
spec, sentences, table and the respondent-file checks — without Streamlit."""
from __future__ import annotations

import io
import zipfile
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pyarrow as pa
import pytest

from lagesbild import respondents, surveys, uploads
from lagesbild.problems import InputError
from lagesbild.views import trender as view

SURVEY, INDICATOR = "medborgarundersokningen", "trygg_kvall"
EVERY = {"undersokning": SURVEY, "indikator": INDICATOR, "omrade": "Bromma", "grupp": "Kvinnor",
         "jamfor": "Östermalm,Farsta", "ar": "2013-2015"}


@pytest.fixture
def results(engine) -> pd.DataFrame:
    return surveys.load_results(engine)


@pytest.fixture
def catalogue(engine) -> pd.DataFrame:
    return surveys.load_indicators(engine)


def resolved(results: pd.DataFrame, wanted: dict, home: str = view.HOME_AREA, names: dict | None = None):
    return view.resolve(wanted, view.pairs(results), lambda s, i: view.options(results, s, i), names, home)


def opened(results: pd.DataFrame, query: dict, names: dict | None = None) -> tuple[view.Choice, list[str]]:
    wanted, notices = view.read_link(query)
    choice, _, corrected = resolved(results, wanted, names=names)
    return choice, notices + corrected


# --- choices and links ------------------------------------------------------------------------------------------

def test_nothing_asked_gives_the_councils_area_against_the_city_over_every_year(results):
    choice, found, notices = resolved(results, {})
    assert choice == view.Choice(SURVEY, INDICATOR, "Norrmalm", "Alla", (), None, (2011, 2016))
    assert found.waves == (2011, 2012, 2013, 2014, 2015, 2016) and "Hela staden" not in found.areas
    assert found.groups[0] == "Alla" and notices == []


def test_a_link_with_every_filter_opens_exactly_that_view_and_writes_itself_back(results):
    choice, notices = opened(results, EVERY)
    assert choice == view.Choice(SURVEY, INDICATOR, "Bromma", "Kvinnor", ("Östermalm", "Farsta"), None, (2013, 2015))
    assert notices == []
    assert view.link(choice) == EVERY
    split = view.Choice("stockholmsenkaten", "trygg_ute_sent", "Norrmalm", split="Kön och årskurs", years=(2012, 2016))
    assert opened(results, view.link(split)) == (split, [])
    assert view.link(split)["uppdelning"] == "Kön och årskurs"


def test_the_whole_link_carries_the_page_address_and_its_parameters(results):
    choice, _ = opened(results, EVERY)
    url = view.address("http://rådet.example/trender", choice)
    parts = urlsplit(url)
    assert parts.path == "/trender"
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == EVERY
    assert view.address(None, choice).startswith("/trender?undersokning=medborgarundersokningen&")


@pytest.mark.parametrize("query, expected, notice", [
    ({"indikator": "finns_inte"}, {"indicator": INDICATOR},
     "Indikatorn ”finns_inte” finns inte i Medborgarundersökningen; Trygg ensam hem på kvällen visas i stället."),
    ({"undersokning": "<script>"}, {"survey": SURVEY},
     "Undersökningen ”<script>” finns inte; Medborgarundersökningen visas i stället."),
    ({"omrade": "Atlantis"}, {"area": "Norrmalm"},
     "Området ”Atlantis” finns inte för den här indikatorn; Norrmalm visas i stället."),
    ({"grupp": "Marsianer"}, {"group": "Alla"},
     "Gruppen ”Marsianer” finns inte för den här indikatorn; alla svarande visas."),
    ({"uppdelning": "Skostorlek"}, {"split": None},
     "Uppdelningen ”Skostorlek” finns inte för den här indikatorn; ingen uppdelning visas."),
    ({"jamfor": "Bromma,Atlantis,Norrmalm"}, {"compare": ("Bromma",)},
     "Jämförelseområdet ”Atlantis” finns inte för den här indikatorn och visas inte."),
    ({"ar": "2005-2014"}, {"years": (2011, 2014)}, "Åren 2005–2014 går utanför mätningarna (2011–2016); 2011–2014 visas."),
    ({"ar": "2030-2040"}, {"years": (2011, 2016)}, "Det finns inga mätningar 2030–2040; alla år (2011–2016) visas."),
    ({"indikator": "roker"}, {"survey": "stockholmsenkaten", "indicator": "roker"}, None),
    ({"ar": "2016-2014"}, {"years": (2014, 2016)}, None),
    ({"ar": "2015"}, {"years": (2015, 2015)}, None),
    ({"ar": "förra året"}, {"years": (2011, 2016)},
     "Åren ”förra året” i länken är inga årtal (skriv till exempel 2014-2016); alla år visas."),
    ({"ar": "²⁰¹⁴-2016"}, {"years": (2011, 2016)}, None),
])
def test_a_bad_value_in_a_link_falls_back_to_the_nearest_view_with_a_notice(results, catalogue, query, expected,
                                                                          notice):
    choice, notices = opened(results, query, view.indicator_names(catalogue))
    for name, value in expected.items():
        assert getattr(choice, name) == value
    if notice:
        assert notices == [notice]
    elif "²" in query.get("ar", ""):
        assert len(notices) == 1  # no ASCII year: said, never raised
    else:
        assert notices == []


def test_garbage_of_every_kind_never_raises_and_quotes_at_most_sixty_characters(results):
    query = {"undersokning": "x" * 5000, "indikator": "", "omrade": "\x00", "grupp": ["a", "b"], "ar": "9" * 40,
             "jamfor": ",,,", "uppdelning": "  "}
    choice, notices = opened(results, query)
    assert (choice.survey, choice.indicator, choice.area) == (SURVEY, INDICATOR, "Norrmalm")
    assert all(len(n) < 250 for n in notices)
    assert "x" * 60 + "…" in notices[1]


def test_a_renamed_or_merged_area_in_a_link_opens_what_it_became_and_the_other_way_round():
    frame = pd.DataFrame({"survey": SURVEY, "indicator": INDICATOR, "grp": "Alla", "year": [2024, 2024, 2024],
                          "area": ["Norra innerstaden", "Bromma", "Hela staden"]})
    choice, _, notices = resolved(frame, {"area": "Östermalm", "compare": ("Norrmalm", "Bromma")}, home="Bromma")
    assert choice.area == "Norra innerstaden" and choice.compare == ("Bromma",)
    assert notices == ["Östermalm heter nu Norra innerstaden (nytt namn eller sammanslaget); Norra innerstaden "
                       "visas i stället."]
    older = frame.assign(area=["Norrmalm", "Bromma", "Hela staden"])
    choice, _, notices = resolved(older, {"area": "Norra innerstaden"})
    assert choice.area == "Norrmalm" and "som blev Norra innerstaden" in notices[0]


def test_the_widgets_are_read_and_set_with_the_same_keys(results):
    choice, found, _ = resolved(results, {"area": "Bromma", "compare": ("Farsta",), "years": (2012, 2014)})
    state = view.widget_values(choice) | {view.years_key(SURVEY, INDICATOR): (2012, 2014)}
    assert resolved(results, view.from_widgets(state))[0] == choice
    ready = view.ready_values(view.READY_VIEWS["Elever som känner sig trygga ute sent en kväll, Stockholmsenkäten"])
    assert ready[view.SPLIT] == "Kön och årskurs" and ready[view.SURVEY] == "stockholmsenkaten"
    assert ready[view.AREA] == "Norrmalm"
    assert view.ready_values(view.READY_VIEWS["Upplevd trygghet, medborgarundersökningen"], "Kungsholmen")[view.AREA] \
        == "Kungsholmen"  # another council's own area


def test_the_other_pages_parameters_are_not_the_pages_own():
    assert view.link_part({"datum": "2016-12-14", "omrade": "Bromma"}) == {"omrade": "Bromma"}


# --- what the page shows -----------------------------------------------------------------------------------------

def shown(results, catalogue, min_answers: int = 41, **chosen) -> view.TrendView:
    choice, _, _ = resolved(results, chosen)
    return view.build(results, catalogue, choice, min_answers)


def chart_rows(model: view.TrendView) -> pd.DataFrame:
    return next(f for f in model.spec["datasets"].values() if "series" in f.columns)


def test_norrmalm_against_the_city_with_the_decks_sentence_and_the_question(results, catalogue):
    model = shown(results, catalogue)
    rows = chart_rows(model)
    assert set(rows["series"]) == {"Norrmalm", "Hela staden"}
    assert rows.loc[(rows["series"] == "Norrmalm") & (rows["year"] == 2016), "share"].item() == 70.0
    text = model.sentences.replace("\\", "")
    assert ("Andelen trygga i Norrmalm minskade med 2,0 procentenheter 2015–2016 (från 72,0\u00a0% till 70,0\u00a0%); "
            "skillnaden är inte statistiskt säkerställd (n = 412 och 398).") in text
    assert "Jag känner mig trygg när jag går ensam hem på kvällen i min stadsdel" in model.about
    assert model.latest.startswith("**Senaste mätning:** 2016")
    assert model.example and "Exempeldata – inte verkliga värden." in model.spec["title"]["subtitle"]
    assert model.stem == "trend_medborgarundersokningen_trygg_kvall_norrmalm"


def test_the_spec_can_be_drawn_as_arrow_on_every_rerun(results, catalogue):
    model = shown(results, catalogue)
    for frame in model.spec["datasets"].values():
        pa.Table.from_pandas(frame)  # what st.vega_lite_chart makes of it
    assert model.spec["layer"] and model.spec["config"]["locale"]["number"]["decimal"] == ","


def test_another_group_changes_the_chart_and_the_table(results, catalogue):
    before, after = shown(results, catalogue), shown(results, catalogue, group="Kvinnor")
    assert set(after.table["Grupp"]) == {"Kvinnor"}
    assert not chart_rows(after)["share"].equals(chart_rows(before)["share"])
    rows = chart_rows(after)
    assert rows.loc[(rows["series"] == "Norrmalm") & (rows["year"] == 2011), "share"].item() == 65.0


def test_a_suppressed_group_shows_dots_in_chart_table_and_sentence(results, catalogue):
    model = shown(results, catalogue, area="Rinkeby-Kista", group="18–29 år")
    rinkeby = chart_rows(model).query("series == 'Rinkeby-Kista'").set_index("year")
    assert rinkeby.loc[2011, "marker"] == ".." and pd.isna(rinkeby.loc[2011, "share"])
    assert rinkeby.loc[2011, "reason"] == "för få svar (färre än 41)"  # the tooltip of the ".."
    assert '".." = färre än 41 svar, redovisas inte.' in model.spec["title"]["subtitle"]
    table = model.shown.set_index(["Område", "År"])
    assert table.loc[("Rinkeby-Kista", "2011"), "Andel"] == ".."
    assert table.loc[("Rinkeby-Kista", "2011"), "Anmärkning"] == "för få svar (färre än 41)"
    assert "Andelen trygga i Rinkeby-Kista (18–29 år) redovisas inte för 2016: för få svar (färre än 41)." in \
        model.sentences.replace("\\", "")
    assert any('".." betyder att gruppen har färre än 41 svar' in n.replace("\\", "") for n in model.notes)


def test_the_suppression_threshold_is_the_one_given(results, catalogue):
    table = shown(results, catalogue, min_answers=500).shown.set_index(["Område", "År"])
    assert table.loc[("Norrmalm", "2016"), "Andel"] == ".."
    assert table.loc[("Norrmalm", "2016"), "Anmärkning"] == "för få svar (färre än 500)"
    assert table.loc[("Hela staden", "2016"), "Andel"] == "64,7\u00a0%"


def test_other_areas_are_compared_and_years_narrowed(results, catalogue):
    model = shown(results, catalogue, compare=("Östermalm", "Bromma"), years=(2014, 2016))
    assert list(dict.fromkeys(chart_rows(model)["series"])) == ["Norrmalm", "Östermalm", "Bromma", "Hela staden"]
    assert sorted(set(model.shown["År"])) == ["2014", "2015", "2016"]


def test_the_pupils_view_splits_by_sex_and_grade(results, catalogue):
    ready = view.READY_VIEWS["Elever som känner sig trygga ute sent en kväll, Stockholmsenkäten"]
    model = shown(results, catalogue, survey=ready.survey, indicator=ready.indicator, split=ready.split)
    assert set(chart_rows(model)["series"]) == {"Flickor åk 9", "Pojkar åk 9", "Flickor gy 2", "Pojkar gy 2"}
    assert model.spec["title"]["text"] == "Trygg ute sent en kväll"


def test_a_method_change_is_marked_and_not_compared_across(results, catalogue):
    model = shown(results, catalogue, survey="stockholmsenkaten", indicator="roker")
    marks = next(f for f in model.spec["datasets"].values() if "label" in f.columns)
    assert marks.to_dict("records") == [{"mid": 2013.0, "label": "Ny metod (exempel)"}]
    norrmalm = chart_rows(model).query("series == 'Norrmalm'").set_index("year")
    assert norrmalm.loc[2012, "line"] != norrmalm.loc[2014, "line"]
    assert any("Serieavbrott mellan 2012 och 2014: Exempel: frågan om rökning fick nya svarsalternativ"
               in n.replace("\\", "") for n in model.notes)


def test_typed_text_in_the_indicator_catalogue_is_shown_as_text(results, catalogue):
    catalogue = catalogue.copy()
    catalogue.loc[(catalogue["survey"] == SURVEY) & (catalogue["indicator"] == INDICATOR), "question"] = \
        "**Fet** [länk](http://x) <img src=x>"
    about = shown(results, catalogue).about
    assert r"\*\*Fet\*\* \[länk\]\(http\:" in about and r"\<img src\=x\>" in about


def test_the_downloads_are_what_the_table_and_chart_show(results, catalogue):
    model = shown(results, catalogue)
    assert "Norrmalm;Alla;2016;70,0;65,3;74,3;398;" in model.csv().decode("utf-8-sig")
    assert model.xlsx().startswith(b"PK")


def test_a_respondent_file_is_aggregated_and_said_to_be(catalogue):
    data = respondents.excel_csv(respondents.synthetic_respondents(3000, seed=3))
    extract = view.read_file("medborgarundersokningen_svar.csv", data)
    assert view.file_text("medborgarundersokningen_svar.csv", extract).replace("\\", "") == \
        "**medborgarundersokningen_svar.csv**: 3\u00a0000 rader, viktad."
    results = view.aggregate(extract, SURVEY, INDICATOR)
    choice, _, _ = view.resolve({}, extract.pairs, lambda s, i: view.options(view.aggregate(extract, s, i), s, i))
    model = view.build(results, catalogue, choice, 41, extract)
    assert set(chart_rows(model)["series"]) == {"Norrmalm", "Hela staden"}
    assert "Effektivt antal svar" in model.table.columns
    assert model.computed_from.startswith("Beräknat ur **medborgarundersokningen\\_svar\\.csv** (viktad)")
    assert not model.example and model.footnotes[0] == "Källa: medborgarundersokningen_svar.csv"


def test_a_file_with_too_many_rows_is_refused_before_it_is_read(monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setitem(uploads.MAX_ROWS, "respondents", 1000)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(respondents.synthetic_respondents(3000, seed=3)), buffer)
    read = []
    monkeypatch.setattr(respondents, "read_respondents", lambda *a: read.append(a))
    with pytest.raises(InputError) as caught:
        view.read_file("svar.parquet", buffer.getvalue())
    assert "filen har 3\u00a0000 rader; högst 1\u00a0000 tas emot" in str(caught.value)
    assert read == []  # refused from the metadata alone


def test_a_small_file_that_unpacks_to_too_much_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (5 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100_000
    with pytest.raises(InputError) as caught:
        uploads.check_contents("svar.xlsx", data, "respondents", max_unpacked=1024 * 1024)
    assert "packas upp till 5 MB; högst 1 MB tas emot" in str(caught.value)
    uploads.check_contents("svar.csv", b"a;b\n1;2\n", "respondents")  # a small file passes

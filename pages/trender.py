import streamlit as st

import ui
from lagesbild import charts, export, respondents, stats, surveys, uploads
from lagesbild.formatting import markdown_escape, number
from lagesbild.problems import InputError


def md(text) -> str:
    """Typed text for a one-line Markdown place (a caption, a table cell)."""
    return markdown_escape(text, newline=" ")

engine = ui.frame("Trender")
settings = ui.settings()
st.title("Trender i undersökningarna")


@st.cache_data(max_entries=2, show_spinner="Läser filen …")
def read_file(file_id: str, name: str, _upload) -> respondents.RespondentExtract:
    return respondents.read_respondents(name, _upload.getvalue())


@st.cache_data(max_entries=32, show_spinner=False)
def aggregated(file_id: str, name: str, survey: str, indicator: str, _upload):
    return respondents.aggregate(read_file(file_id, name, _upload), survey, indicator)


def survey_label(survey: str) -> str:
    return surveys.SURVEY_BY_ID[survey].name if survey in surveys.SURVEY_BY_ID else survey


def use_view(view: stats.TrendSelection) -> None:
    for key in [k for k in st.session_state if str(k).startswith("trend_years")]:
        del st.session_state[key]
    st.session_state.update(trend_survey=view.survey, trend_indicator=view.indicator, trend_area=view.area,
                            trend_group=view.group, trend_split=view.split or "", trend_compare=list(view.compare))


# Source: the stored results, or an analyst's respondent-level file that stays in this session only.
upload = None
if ui.may("räkna_på_fil"):
    st.sidebar.subheader("Egen fil på svarsnivå")
    upload = st.sidebar.file_uploader("En rad per svarande och fråga (CSV, Excel eller Parquet), med vikter om de "
                                      "finns. Filen sparas inte.", type=list(uploads.ACCEPTED["respondents"]),
                                      key="trend_upload")
extract = None
if upload is not None:
    try:
        uploads.check_upload(upload.name, upload.size, "respondents")
        uploads.check_contents(upload.name, upload.getvalue(), "respondents")
        extract = read_file(upload.file_id, upload.name, upload)
        st.sidebar.success(f"**{md(upload.name)}**: {number(extract.rows)} rader, "
                           f"{'viktad' if extract.weighted else 'oviktad'}.", icon=":material/check_circle:")
    except InputError as error:
        ui.show_input_error(error, nothing_saved=False)

stored = None if extract else ui.load("results")
pairs = extract.pairs if extract else sorted(set(zip(stored["survey"], stored["indicator"])))
if not pairs:
    st.info("Inga undersökningsresultat finns ännu. Importera en fil på sidan Data.")
    st.stop()
catalogue = ui.load("indicators")
names = {(s, i): n for s, i, n in zip(catalogue["survey"], catalogue["indicator"], catalogue["name"])}

with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown("**Färdiga vyer:**", width="content")
    for label, view in stats.READY_VIEWS.items():
        # Small buttons: the label and both views fit one line on a laptop, so the chart starts higher.
        st.button(label, on_click=use_view, args=(view,), disabled=(view.survey, view.indicator) not in pairs,
                  key=f"trend_view_{view.survey}", icon=":material/bookmark:", type="tertiary")

# Widths after the longest values (survey and indicator names), so that no box cuts its value on a laptop.
first, second, third, fourth = st.columns([1.4, 1.5, 0.95, 1.2])
survey_ids = list(dict.fromkeys(s for s, _ in pairs))
survey = first.selectbox("Undersökning", survey_ids, key="trend_survey", format_func=survey_label, placeholder="Välj")
indicator = second.selectbox("Indikator", [i for s, i in pairs if s == survey], key="trend_indicator",
                             format_func=lambda i: names.get((survey, i), i), placeholder="Välj")
if extract:
    results = aggregated(upload.file_id, upload.name, survey, indicator, upload)
else:
    results = stored[(stored["survey"] == survey) & (stored["indicator"] == indicator)]
if results.empty:
    st.info("Inga svar för det här urvalet.")
    st.stop()
areas = sorted(set(results["area"]) - {surveys.CITY}) or [surveys.CITY]
area = third.selectbox("Område", areas, index=areas.index("Norrmalm") if "Norrmalm" in areas else 0, key="trend_area",
                       placeholder="Välj")

groups = sorted(set(results["grp"]), key=stats.group_order)
first, second, third = st.columns([3, 1, 1])
split = second.selectbox("Dela upp", ["", *stats.dimensions(groups)], key="trend_split", placeholder="Välj",
                         format_func=lambda d: f"Per grupp: {d.lower()}" if d else "Ingen uppdelning") or None
group = first.radio("Grupp", groups, horizontal=True, key="trend_group", disabled=split is not None)
compare = fourth.multiselect("Jämför med andra områden", [a for a in areas if a != area], key="trend_compare",
                             disabled=split is not None, placeholder="Välj områden", select_all=False)
waves = sorted(int(y) for y in results["year"].unique())
years = (third.select_slider("År", waves, value=(waves[0], waves[-1]), key=f"trend_years_{survey}_{indicator}")
         if len(waves) > 1 else (waves[0], waves[0]))

selection = stats.TrendSelection(survey, indicator, area, group, tuple(compare), split, years)
trend = (stats.build_trend(results, selection, settings.min_answers, stats.load_method_breaks()) if extract else
         ui.derived(stats.build_trend, ui.Table("results"), selection, settings.min_answers, stats.load_method_breaks()))
survey_name = survey_label(survey)
indicator_name = names.get((survey, indicator), indicator)
title, subtitle = charts.trend_heading(trend, survey_name, indicator_name)
chart = ui.derived(charts.trend_chart, trend.frame, title, subtitle, trend.series, trend.city_series, trend.breaks,
                   trend.waves)

chart_column, about_column = st.columns([3, 1], gap="large")
chart_column.altair_chart(chart, width="stretch")
for note in trend.notes():
    chart_column.caption(md(note))

about = catalogue[(catalogue["survey"] == survey) & (catalogue["indicator"] == indicator)]
with about_column:
    st.subheader("Om uppgifterna")
    if about.empty:
        st.markdown("Ingen beskrivning av indikatorn finns.")
    else:
        row = about.iloc[0]
        st.markdown("  \n".join(f"**{label}:** {md(row[column]) or '–'}" for label, column in [
            ("Fråga", "question"), ("Svarsskala", "scale"), ("Definition", "definition"), ("Källa", "source")]))
    frequency = f"  \n**Genomförs:** {surveys.SURVEY_BY_ID[survey].frequency}" if survey in surveys.SURVEY_BY_ID else ""
    st.markdown(f"**Senaste mätning:** {max(waves)}{frequency}")
    if extract:
        st.info(f"Beräknat ur **{md(upload.name)}** ({'viktad' if extract.weighted else 'oviktad'}). "
                "Hela staden är alla svarande i filen.", icon=":material/calculate:")
    if trend.example:
        st.warning("Värdena är exempeldata, inte verkliga resultat.", icon=":material/info:")

st.subheader("Är förändringen statistiskt säkerställd?")
st.markdown("\n".join(f"- {md(sentence)}" for sentence in stats.change_sentences(trend, indicator_name)))
st.caption("Tvåandelstest på 5 % nivå. Jämförelsen med hela staden tar inte hänsyn till att området ingår i "
           "staden; testet blir då något försiktigt.")

st.subheader("Tabell")
table = export.trend_table(trend, survey_name, indicator_name)
shown_table = export.display_table(table)
st.dataframe(shown_table, hide_index=True, column_config={  # numbers (as Swedish text) right-aligned
    column: st.column_config.TextColumn(alignment="right") for column in export.numeric_columns(shown_table)})
heading = export.trend_title(trend, survey_name, indicator_name)
footnotes = export.trend_footnotes(trend, upload.name if extract else (about["source"].iloc[0] if not about.empty else ""))
stem = export.file_stem("trend", survey, indicator, area)
with st.container(horizontal=True):
    st.download_button("CSV för Excel", export.table_csv(table, heading, footnotes), f"{stem}.csv",
                       export.CSV_MIME, key="trend_csv", on_click="ignore", icon=":material/download:")
    st.download_button("Excel (.xlsx)", lambda: export.table_xlsx(table, heading, footnotes), f"{stem}.xlsx",
                       export.XLSX_MIME, key="trend_xlsx", on_click="ignore", icon=":material/download:")
    st.download_button("Diagram som PNG", lambda: export.chart_png(chart), f"{stem}.png", "image/png",
                       key="trend_png", on_click="ignore", icon=":material/image:")
    st.download_button("Diagram som SVG", lambda: export.chart_svg(chart), f"{stem}.svg", "image/svg+xml",
                       key="trend_svg", on_click="ignore", icon=":material/image:")

# --- Districts side by side on a map (issue #15 item 1): the chosen indicator, group and last year of the range.
from streamlit_folium import st_folium  # noqa: E402

from lagesbild.views import districts  # noqa: E402

district_args = (survey, indicator, group, years[1], settings.min_answers, indicator_name)
district_view = (districts.build_district_view(results, ui.load("boundaries"), *district_args) if extract else
                 ui.derived(districts.build_district_view, ui.Table("results"), ui.Table("boundaries"), *district_args))
st.subheader(districts.heading(district_view))
if district_view.shapes.empty:
    st.info("Inga områdesgränser finns att rita. Importera stadens gränsfil (till exempel Stadsdelsnämndsområde "
            "2020 som zippad shapefil) på sidan Data.", icon=":material/map:")
map_column, table_column = st.columns([1, 1.5], gap="small")
with map_column:
    st.markdown(districts.legend_html(district_view), unsafe_allow_html=True)
    if not district_view.shapes.empty:
        st_folium(districts.district_map(district_view), key="district_map", height=560, use_container_width=True,
                  returned_objects=[])
table_column.dataframe(districts.district_table(district_view), hide_index=True, height="content")
st.caption(districts.notes_markdown(district_view))

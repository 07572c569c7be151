"""Trender: survey results over time; every filter lives in the address, so a link opens exactly this view."""
import streamlit as st
from streamlit_folium import st_folium

import ui
from lagesbild.views import districts, trender as view

ui.frame("Trender")
settings = ui.settings()
# The title shares its row with "Kopiera länk", filled in once the choice is known.
header = st.container(horizontal=True, vertical_alignment="center", horizontal_alignment="distribute")
header.title("Trender i undersökningarna", width="content")
LINK_KEY = "_trend_link"  # the page's parameters as this page last wrote them: anything else is a link to open


@st.cache_data(max_entries=2, show_spinner="Läser filen …")
def read_file(file_id: str, name: str, _upload) -> view.RespondentExtract:
    return view.read_file(name, _upload.getvalue())


@st.cache_data(max_entries=32, show_spinner=False)
def aggregated(file_id: str, name: str, survey: str, indicator: str, _upload):
    return view.aggregate(read_file(file_id, name, _upload), survey, indicator)


@st.cache_resource(max_entries=16, show_spinner=False)
def file_view(file_id: str, name: str, choice: view.Choice, min_answers: int, version: int, _upload, _catalogue):
    results = aggregated(file_id, name, choice.survey, choice.indicator, _upload)
    return view.build(results, _catalogue, choice, min_answers, read_file(file_id, name, _upload))


def every_year() -> None:
    for key in [k for k in st.session_state if str(k).startswith(view.YEARS)]:
        del st.session_state[key]


def use_view(ready) -> None:
    every_year()
    st.session_state.update(view.ready_values(ready, ui.settings().area))


# Source: the stored results, or an analyst's respondent-level file that stays in this session only.
upload = None
if ui.may("räkna_på_fil"):
    st.sidebar.subheader("Egen fil på svarsnivå")
    upload = st.sidebar.file_uploader("En rad per svarande och fråga (CSV, Excel eller Parquet), med vikter om de "
                                      "finns. Filen sparas inte.", type=view.ACCEPTED_FILES, key="trend_upload")
extract = None
if upload is not None:
    try:
        extract = read_file(upload.file_id, upload.name, upload)
        st.sidebar.success(view.file_text(upload.name, extract), icon=":material/check_circle:")
    except view.InputError as error:
        ui.show_input_error(error, nothing_saved=False)

available = extract.pairs if extract else ui.derived(view.pairs, ui.Table("results"))
if not available:
    st.info("Inga undersökningsresultat finns ännu. Importera en fil på sidan Data.")
    st.stop()
names = ui.derived(view.indicator_names, ui.Table("indicators"))


def options_for(survey: str, indicator: str) -> view.Options:
    if extract:
        return view.options(aggregated(upload.file_id, upload.name, survey, indicator, upload), survey, indicator)
    return ui.derived(view.options, ui.Table("results"), survey, indicator)


# The widgets show the address when it is new (a link was opened), else what was chosen; always a valid view.
state = st.session_state
asked = view.link_part(st.query_params.to_dict())
opened = asked != state.get(LINK_KEY)
wanted, notices = view.read_link(asked) if opened else (view.from_widgets(state), [])
choice, found, corrected = view.resolve(wanted, available, options_for, names, ui.settings().area)
if opened:
    every_year()  # the slider then starts at the link's years
state.update(view.widget_values(choice))

with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown("**Färdiga vyer:**", width="content")
    for label, ready in view.READY_VIEWS.items():
        # Small buttons: the label and both views fit one line on a laptop, so the chart starts higher.
        st.button(label, on_click=use_view, args=(ready,), disabled=(ready.survey, ready.indicator) not in available,
                  key=f"trend_view_{ready.survey}", icon=":material/bookmark:", type="tertiary")
with header.popover("Kopiera länk", icon=":material/link:"):
    st.caption("Länken öppnar Trender med just de här valen. Kopiera den med knappen i rutans hörn.")
    st.code(view.address(st.context.url, choice), language=None, wrap_lines=True)
if opened and notices + corrected:
    st.warning("**Länken kunde inte visas precis som den var.**\n\n"
               + "\n".join(f"- {view.markdown_text(n)}" for n in notices + corrected), icon=":material/link_off:")

# Widths after the longest values (survey and indicator names), so that no box cuts its value on a laptop.
first, second, third, fourth = st.columns([1.4, 1.5, 0.95, 1.2])
first.selectbox("Undersökning", list(dict.fromkeys(s for s, _ in available)), key=view.SURVEY,
                format_func=view.survey_name, placeholder="Välj")
second.selectbox("Indikator", [i for s, i in available if s == choice.survey], key=view.INDICATOR,
                 format_func=lambda i: names.get((choice.survey, i), i), placeholder="Välj")
if found.empty:
    st.info("Inga svar för det här urvalet.")
    st.stop()
third.selectbox("Område", found.areas, key=view.AREA, placeholder="Välj")
first, second, third = st.columns([3, 1, 1])
second.selectbox("Dela upp", ["", *found.splits], key=view.SPLIT, placeholder="Välj", format_func=view.split_label)
first.radio("Grupp", found.groups, horizontal=True, key=view.GROUP, disabled=choice.split is not None)
fourth.multiselect("Jämför med andra områden", [a for a in found.areas if a != choice.area], key=view.COMPARE,
                   disabled=choice.split is not None, placeholder="Välj områden", select_all=False)
if len(found.waves) > 1:
    third.select_slider("År", found.waves, value=choice.years, key=view.years_key(choice.survey, choice.indicator))

# The address follows the widgets: write only what changed (other pages' parameters, such as ?datum=, stay).
written = view.link(choice)
for name in asked.keys() - written.keys():
    del st.query_params[name]
st.query_params.update({k: v for k, v in written.items() if asked.get(k) != v})
state[LINK_KEY] = written

shown = (file_view(upload.file_id, upload.name, choice, settings.min_answers, ui.data_version(), upload,
                   ui.load("indicators")) if extract else
         ui.derived(view.build, ui.Table("results"), ui.Table("indicators"), choice, settings.min_answers))

chart_column, about_column = st.columns([3, 1], gap="large")
chart_column.vega_lite_chart(shown.spec, width="stretch")
for note in shown.notes:
    chart_column.caption(note)
with about_column:
    st.subheader("Om uppgifterna")
    st.markdown(shown.about)
    st.markdown(shown.latest)
    if shown.computed_from:
        st.info(shown.computed_from, icon=":material/calculate:")
    if shown.example:
        st.warning("Värdena är exempeldata, inte verkliga resultat.", icon=":material/info:")

st.subheader("Är förändringen statistiskt säkerställd?")
st.markdown(shown.sentences)
st.caption(view.TEST_NOTE)

st.subheader("Tabell")
st.dataframe(shown.shown, hide_index=True, column_config={  # numbers (as Swedish text) right-aligned
    column: st.column_config.TextColumn(alignment="right") for column in shown.numeric})
with st.container(horizontal=True):
    for label, data, name, mime, icon in shown.downloads():
        st.download_button(label, data, name, mime, key=f"trend_{name.rsplit('.')[-1]}", on_click="ignore", icon=icon)

# Every district side by side on a map: the chosen indicator and group, the last year of the range.
district_args = (choice, settings.min_answers, names.get((choice.survey, choice.indicator), choice.indicator))
area_map = (view.district_view(aggregated(upload.file_id, upload.name, choice.survey, choice.indicator, upload),
                               ui.load("boundaries"), *district_args) if extract else
            ui.derived(view.district_view, ui.Table("results"), ui.Table("boundaries"), *district_args))
st.subheader(districts.heading(area_map))
if area_map.shapes.empty:
    st.info(districts.NO_SHAPES, icon=":material/map:")
map_column, table_column = st.columns([1, 1.5], gap="small")
with map_column:
    st.markdown(districts.legend_html(area_map), unsafe_allow_html=True)
    if not area_map.shapes.empty:
        st_folium(districts.district_map(area_map), key="district_map", height=560, use_container_width=True,
                  returned_objects=[])
table_column.dataframe(districts.district_table(area_map), hide_index=True, height="content")
st.caption(districts.notes_markdown(area_map))

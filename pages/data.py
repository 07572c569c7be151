import streamlit as st

import ui
from lagesbild import areas, places, surveys, uploads
from lagesbild.problems import InputError

engine = ui.frame("Data", needs="importera")
st.title("Data")
st.caption("Importera undersökningsresultat, iakttagelser och områdesgränser. Filen kontrolleras först; "
           "en fil med fel ändrar ingenting i databasen.")

KINDS = {
    "Undersökningsresultat": "CSV eller Excel, lång tabell (år, område, grupp, indikator, andel, antal_svar) "
                             "eller bred tabell (område, grupp, indikator och en kolumn per år).",
    "Iakttagelser": "CSV, Excel eller GeoJSON med plats, datum, kategori, organisation, beskrivning och sekretess.",
    "Områdesgränser": "GeoJSON eller zippad shapefil i valfritt koordinatsystem (stadens fil är SWEREF 99 18 00).",
}
kind = st.radio("Vad vill du importera?", list(KINDS), horizontal=True, key="import_kind")
st.caption(KINDS[kind])
survey_choice = None
if kind == "Undersökningsresultat":
    survey_choice = st.selectbox("Undersökning, om filen inte själv anger den", [None, *surveys.SURVEY_BY_ID],
                                 format_func=lambda s: "Anges i filen" if s is None else surveys.SURVEY_BY_ID[s].name,
                                 key="import_survey")
upload = st.file_uploader("Välj fil", type=list(uploads.ACCEPTED["import"]), key="import_file")

if upload is not None:
    data = upload.getvalue()
    try:
        uploads.check_upload(upload.name, data, "import")
        if kind == "Undersökningsresultat":
            extract = surveys.read_extract(upload.name, data, survey_choice)
            st.success(f"**{upload.name}** är felfri ({extract.layout} tabell).", icon=":material/check_circle:")
            st.json(extract.summary(), expanded=False)
            st.dataframe(extract.results.head(200), hide_index=True)
            if st.button("Importera", type="primary", key="import_go"):
                result = surveys.import_extract(engine, extract, by=ui.actor())
                st.success(f"Sparat: {result['rader']} rader, varav {result['ersatta']} ersatte tidigare värden.")
        elif kind == "Iakttagelser":
            frame = places.read_observations(upload.name, data)
            st.success(f"**{upload.name}** är felfri: {len(frame)} iakttagelser.", icon=":material/check_circle:")
            st.dataframe(frame, hide_index=True)
            if st.button("Importera", type="primary", key="import_go"):
                st.success(f"Sparat: {places.import_observations(engine, upload.name, frame, by=ui.actor())} iakttagelser.")
        else:
            frame = areas.read_boundaries(upload.name, data)
            st.success(f"**{upload.name}** är felfri: {', '.join(frame['area'])}.", icon=":material/check_circle:")
            if st.button("Importera", type="primary", key="import_go"):
                st.success(f"Sparat: {areas.import_boundaries(engine, upload.name, frame, by=ui.actor())} områden.")
    except InputError as error:
        ui.show_input_error(error)

st.subheader("Importerade filer")
datasets = ui.load("datasets")
st.dataframe(datasets.rename(columns={"imported_at": "Importerad", "kind": "Slag", "file_name": "Fil",
                                      "rows": "Rader", "is_example": "Exempeldata"}), hide_index=True)

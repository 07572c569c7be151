import streamlit as st

import ui
from lagesbild import areas, importing, surveys, uploads
from lagesbild.problems import InputError

engine = ui.frame("Data", needs="importera")
st.title("Data")
st.caption("Importera undersökningsresultat, platser, iakttagelser, åtgärder och områdesgränser. Filen kontrolleras "
           "först och du ser vad importen ändrar innan något sparas; en fil med fel ändrar ingenting i databasen.")

KIND_HELP = {
    None: "Slaget känns igen på filens kolumner och filändelse.",
    "undersökning": "CSV eller Excel, lång tabell (år, område, grupp, indikator, andel, antal_svar) eller bred tabell "
                    "(område, grupp, indikator och en kolumn per år, t.ex. 2015 eller 2016 (prel.)).",
    "svar": "Svar på individnivå kontrolleras här men sparas aldrig; läs in dem på sidan Trender.",
    "platser": "CSV, Excel eller GeoJSON med namn, lat/lon (eller N/E i SWEREF 99), område och status.",
    "iakttagelser": "CSV, Excel eller GeoJSON med plats, datum, kategori, organisation, beskrivning och sekretess.",
    "åtgärder": "CSV eller Excel med plats, datum, aktör, åtgärd, status och sekretess.",
    "gränser": "GeoJSON eller zippad shapefil i valfritt koordinatsystem (stadens fil är SWEREF 99 18 00).",
}
CRS_CHOICES = {None: "Avgör från filen", "EPSG:3006": "SWEREF 99 TM (EPSG:3006)",
               "EPSG:3011": "SWEREF 99 18 00 (EPSG:3011)"}
SCALE_CHOICES = {None: "Avgör från filen", "procent": "Procent (65,2)", "bråk": "Bråk (0,652)"}

kind = st.selectbox("Vad vill du importera?", list(KIND_HELP), key="import_kind",
                    format_func=lambda k: "Känn igen automatiskt" if k is None else importing.KINDS[k][:1].upper() + importing.KINDS[k][1:])
st.caption(KIND_HELP[kind])
upload = st.file_uploader("Välj fil", type=sorted(set(uploads.ACCEPTED["import"]) | {"parquet"}), key="import_file")

with st.expander("Inställningar när filen inte själv anger det"):
    survey_choice = st.selectbox("Undersökning", [None, *surveys.SURVEY_BY_ID], key="import_survey",
                                 format_func=lambda s: "Anges i filen" if s is None else surveys.SURVEY_BY_ID[s].name)
    scale = st.radio("Andelarna är skrivna som", list(SCALE_CHOICES), format_func=SCALE_CHOICES.get,
                     horizontal=True, key="import_scale")
    crs = st.selectbox("Koordinatsystem för koordinater i meter", list(CRS_CHOICES), format_func=CRS_CHOICES.get,
                       key="import_crs")
    columns = areas.boundary_columns(upload.name, upload.getvalue()) \
        if upload is not None and upload.name.lower().endswith((".zip", ".geojson", ".json")) else []
    name_column = st.selectbox("Kolumn med områdets namn (gränser)", [None, *columns], key="import_name_column",
                               format_func=lambda c: "Avgör från filen" if c is None else c)

if upload is not None:
    data = upload.getvalue()
    try:
        uploads.check_upload(upload.name, data, "import" if not upload.name.lower().endswith(".parquet") else "respondents")
        options = importing.Options(survey=survey_choice, scale=scale, name_column=name_column, crs=crs)
        checked = importing.check_file(upload.name, data, kind, options, engine)
        st.success(f"**{upload.name}**: {checked.heading}.", icon=":material/check_circle:")
        left, right = st.columns(2)
        with left:
            st.markdown("**Filen innehåller**")
            st.code("\n".join(line.strip() for line in checked.summary), language=None)
        with right:
            st.markdown("**Det här gör importen**")
            st.code("\n".join(checked.diff), language=None)
        new = {label: names for label, names in checked.new_names.items() if names}
        if new:
            st.warning("**Nya namn som inte finns sedan tidigare** – kontrollera stavningen; ett stavfel blir en ny "
                       "serie:\n\n" + "\n".join(f"- nya {label}: {', '.join(names)}" for label, names in new.items()),
                       icon=":material/warning:")
        if checked.can_save:
            confirmed = st.checkbox("Jag har sett vad importen ändrar" + (" och de nya namnen" if new else ""),
                                    key="import_confirm")
            if st.button("Importera", type="primary", key="import_go", disabled=not confirmed):
                st.success(importing.save(engine, checked, ui.actor()))
    except InputError as error:
        ui.show_input_error(error)

st.subheader("Importerade filer")
datasets = ui.load("datasets")
st.dataframe(datasets.rename(columns={"imported_at": "Importerad", "kind": "Slag", "file_name": "Fil",
                                      "rows": "Rader", "is_example": "Exempeldata"}), hide_index=True)

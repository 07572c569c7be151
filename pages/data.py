import streamlit as st

import ui
from lagesbild.views import data as view

engine = ui.frame("Data", needs="importera")
st.title("Data")
st.caption("Importera undersökningsresultat, platser, iakttagelser, åtgärder och områdesgränser. Filen kontrolleras "
           "först och du ser vad importen ändrar innan något sparas; en fil med fel ändrar ingenting i databasen.")

kind = st.selectbox("Vad vill du importera?", list(view.KIND_HELP), key="import_kind", format_func=view.kind_label)
st.caption(view.KIND_HELP[kind])
upload = st.file_uploader("Välj fil", type=view.FILE_TYPES, key="import_file")

with st.expander("Inställningar när filen inte själv anger det"):
    survey = st.selectbox("Undersökning", list(view.SURVEY_CHOICES), key="import_survey",
                          format_func=view.SURVEY_CHOICES.get)
    scale = st.radio("Andelarna är skrivna som", list(view.SCALE_CHOICES), format_func=view.SCALE_CHOICES.get,
                     horizontal=True, key="import_scale")
    crs = st.selectbox("Koordinatsystem för koordinater i meter", list(view.CRS_CHOICES),
                       format_func=view.CRS_CHOICES.get, key="import_crs")
    columns = view.name_columns(upload.name, upload.getvalue()) if upload is not None else []
    name_column = st.selectbox("Kolumn med områdets namn (gränser)", [None, *columns], key="import_name_column",
                               format_func=lambda c: "Avgör från filen" if c is None else c)

if upload is not None:
    try:
        checked = view.check(upload.name, upload.getvalue(), kind, survey, scale, name_column, crs, engine)
        st.success(f"**{upload.name}**: {checked.heading}.", icon=":material/check_circle:")
        left, right = st.columns(2)
        with left:
            st.markdown("**Filen innehåller**")
            st.code("\n".join(line.strip() for line in checked.summary), language=None)
        with right:
            st.markdown("**Det här gör importen**")
            st.code("\n".join(checked.diff), language=None)
        if warning := view.new_names(checked):
            st.warning(warning, icon=":material/warning:")
        if checked.can_save:
            confirmed = st.checkbox(view.confirm_label(checked), key="import_confirm")
            if st.button("Importera", type="primary", key="import_go", disabled=not confirmed):
                st.success(view.save(engine, checked, ui.actor()))
    except view.InputError as error:
        ui.show_input_error(error)

st.subheader("Importerade filer")
st.dataframe(view.datasets_table(ui.load("datasets")), hide_index=True)

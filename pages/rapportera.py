import datetime

import streamlit as st

import ui
from lagesbild.views import partners as view

FORM = "report"
KEYS = ("report_org", "report_place", "report_name", "report_category", "report_text", "report_date", "report_time")
engine = ui.frame("Rapportera", needs="skicka_in")
# Thumb-sized targets on a phone: every control at least 3 rem high, text large enough to read outdoors.
st.markdown("""<style>
.stButton button, .stFormSubmitButton button, [data-baseweb="select"] > div, .stTextInput input,
.stDateInput input, .stTimeInput input { min-height: 3rem; font-size: 1.05rem; }
[class*="st-key-report_photos"] [data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "Högst %d MB per bild"; }
</style>""" % view.MAX_PHOTO_MB, unsafe_allow_html=True)
me = ui.actor()
state = st.session_state
st.title("Rapportera")
st.caption("Berätta vad du har sett. En redaktör läser inskicket innan det blir en del av lägesbilden. "
           "Skriv aldrig namn, personnummer, telefonnummer eller annat som pekar ut en person.")

st.text_input("Organisation du rapporterar för", key="report_org", placeholder="Till exempel Svenska kyrkan")
walk = st.toggle("Trygghetsvandring med flera stopp", key="report_walk",
                 help="Lägg till ett stopp i taget och skicka in hela vandringen på en gång.")
stops = state.setdefault("report_stops", [])
if walk and stops:
    st.markdown(view.walk_text(stops))
place = st.selectbox("Plats", view.place_choices(ui.load("places")), index=None, key="report_place",
                     placeholder="Välj plats eller din position")
if place == view.OWN_POSITION:
    locate = st.components.v2.component("lagesbild_position", html=view.POSITION_HTML, css=view.POSITION_CSS,
                                        js=view.POSITION_JS)
    position = locate(key="report_position", on_position_change=lambda: None).get("position")
    st.caption(view.position_text(position))
    st.text_input("Vad heter platsen?", key="report_name", placeholder="Till exempel gångtunneln vid parken")
else:
    position = None
st.selectbox("Vad handlar det om?", view.CATEGORIES, index=None, key="report_category", placeholder="Välj kategori")
st.text_area("Vad såg du?", key="report_text", height=120,
             placeholder="Beskriv vad som hände, inte vem. Till exempel: nedskräpat och trasig belysning vid trappan.")
day, clock = st.columns(2)
day.date_input("Datum", datetime.date.today(), key="report_date", format="YYYY-MM-DD",
               max_value=datetime.date.today())
clock.time_input("Klockslag (valfritt)", None, key="report_time", step=300)
uploads = st.file_uploader("Bilder (valfritt, högst 5)", type=view.PHOTO_TYPES, max_upload_size=view.MAX_PHOTO_MB,
                           accept_multiple_files=True, key=f"report_photos_{state.get('report_round', 0)}",
                           help="Du kan ta en bild med kameran. Position och uppgifter om telefonen tas bort "
                                "ur bilden innan den sparas.")


def this_stop():
    return view.stop_from_form(state.get("report_place") or "", state.get("report_name", ""),
                               state.get("report_category"), state.get("report_text", ""), state.get("report_date"),
                               state.get("report_time"), position, [(f.name, f.getvalue()) for f in uploads or []])


def empty_stop() -> None:
    # Set, not forgotten: a browser keeps showing a widget's old value when its key is only removed.
    state.update(report_place=None, report_name="", report_category=None, report_text="", report_time=None,
                 report_round=state.get("report_round", 0) + 1)  # a new uploader, since its files cannot be set


def save() -> str:
    thanks = view.submit(engine, me, state.get("report_org", ""), stops if walk else [this_stop()], walk)
    empty_stop()
    stops.clear()
    return thanks


def add() -> str:
    added = view.add_stop(stops, this_stop())
    empty_stop()
    return added


if walk:
    st.button("Lägg till stoppet", key="report_add", width="stretch", icon=":material/add_location:",
              on_click=ui.form_saver("report_add", add, KEYS))
    ui.form_feedback("report_add")


st.button("Skicka in vandringen" if walk else "Skicka in", key="report_save", type="primary", width="stretch",
          icon=":material/send:",
          on_click=ui.form_saver(FORM, save, KEYS))
ui.form_feedback(FORM)

st.header("Mina inskick")
own = ui.cached(view.load_own, me)
if own.empty:
    st.caption("Du har inte skickat in något än.")
else:
    for card in view.my_submission_cards(own):
        st.container(border=True).markdown(card)

with st.expander("Laget runt inför rådsmötet", icon=":material/forum:"):
    st.caption("Organisationens svar till laget runt. Det visas på rådsmötet när en redaktör har granskat det.")
    st.date_input("Rådsmötets datum", None, key="round_date", format="YYYY-MM-DD")
    st.text_area("Hur ser läget ut hos er?", key="round_situation")
    st.text_area("Vad har förändrats sedan förra mötet?", key="round_changes")
    st.text_area("Vad behöver ni från rådet?", key="round_needs")
    st.button("Skicka svaret", key="round_save", width="stretch", icon=":material/send:", on_click=ui.form_saver(
        "round", lambda: view.submit_round_answer(
            engine, me, state.get("round_date"), state.get("report_org", ""), state.get("round_situation", ""),
            state.get("round_changes", ""), state.get("round_needs", "")),
        ("report_org", "round_date", "round_situation", "round_changes", "round_needs")))
    ui.form_feedback("round")

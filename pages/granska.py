import streamlit as st

import ui
from lagesbild.views import partners as view

engine = ui.frame("Granska", needs="registrera")
me = ui.actor()
state = st.session_state
st.title("Granska inskick")
st.caption("Iakttagelser och trygghetsvandringar från samverkansparterna. Inget här syns i lägesbilden, på kartan "
           "eller på rådsmötet förrän du har publicerat det. Rätta, slå ihop med en befintlig plats, publicera som "
           "öppen eller intern, eller avvisa med ett skäl som den som skickade in får se.")

# Here, not by the buttons: a published or rejected submission leaves the queue.
ui.form_feedback("review")
place_frame = ui.load("places")
items = view.queue(ui.cached(view.load_queue, me), place_frame)
if not items:
    st.info("Inga inskick väntar på granskning.", icon=":material/inbox:")
names = sorted(place_frame["name"], key=str.casefold)

for item in items:
    sid = item.submission_id
    with st.container(border=True):
        st.subheader(item.heading)
        for stop in item.stops.itertuples():
            st.markdown(view.stop_text(item.stops.iloc[stop.Index]))
            images = view.photos(engine, me, stop.stop_id) if stop.photos else []
            if images:
                st.image(images, width=240)
            if item.is_round_answer:
                continue
            with st.expander("Rätta eller slå ihop med en befintlig plats"):
                here = [stop.place] + [n for n in names if n != stop.place]
                st.selectbox("Plats", here, key=f"fix_place_{stop.stop_id}")
                st.selectbox("Kategori", view.CATEGORIES, index=view.CATEGORIES.index(stop.category),
                             key=f"fix_category_{stop.stop_id}")
                st.text_area("Beskrivning", stop.description, key=f"fix_text_{stop.stop_id}")
                st.date_input("Datum", stop.seen_on, key=f"fix_date_{stop.stop_id}", format="YYYY-MM-DD")
                st.time_input(view.TIME_LABEL, view.loaded_time(stop.seen_at), key=f"fix_time_{stop.stop_id}",
                              step=300, help=view.TIME_HELP)
                form = f"fix_{stop.stop_id}"
                keys = tuple(f"fix_{k}_{stop.stop_id}" for k in ("place", "category", "text", "date", "time"))
                st.button("Spara rättelsen", key=f"fix_save_{stop.stop_id}", on_click=ui.form_saver(
                    form, lambda s=stop.stop_id, k=keys: view.correct(engine, me, s, *(state.get(x) for x in k)),
                    keys))
                ui.form_feedback(form)
        left, right = st.columns(2, gap="large")
        with left:
            if not item.is_round_answer:
                st.radio("Publicera som", view.CONFIDENTIALITY, key=f"pub_secrecy_{sid}", horizontal=True)
                st.checkbox("Visa bilderna tillsammans med iakttagelsen", key=f"pub_photos_{sid}")
            if item.needs_new_place:
                st.text_input("Område för den nya platsen", key=f"pub_area_{sid}",
                              placeholder=f"Till exempel {ui.settings().area}",
                              help="Platsen finns inte i listan. Ange område för att skapa den vid telefonens "
                                   "position, eller rätta platsen ovan för att slå ihop med en befintlig.")
            st.button("Publicera", key=f"pub_go_{sid}", type="primary", icon=":material/publish:",
                      on_click=ui.form_saver("review", lambda s=sid, r=item.is_round_answer: view.publish(
                          engine, me, s, state.get(f"pub_secrecy_{s}"), state.get(f"pub_area_{s}", ""),
                          bool(state.get(f"pub_photos_{s}")), r), (f"pub_secrecy_{sid}",)))
        with right:
            st.text_input("Skäl att avvisa (visas för den som skickade in)", key=f"reject_reason_{sid}")
            st.button("Avvisa", key=f"reject_go_{sid}", icon=":material/block:", on_click=ui.form_saver(
                "review", lambda s=sid: view.reject(engine, me, s, state.get(f"reject_reason_{s}", "")),
                (f"reject_reason_{sid}",)))

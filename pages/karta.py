import streamlit as st
from streamlit_folium import st_folium

import ui
from lagesbild import areas, places
from lagesbild.formatting import date
from lagesbild.maps import STATUS_COLOURS, place_map

engine = ui.frame("Karta")
st.title("Otrygga platser")
settings = ui.settings()
place_frame = places.load_places(engine)
observations = places.load_observations(engine, include_internal=settings.show_internal)
actions = places.load_actions(engine, include_internal=settings.show_internal)

statuses = st.multiselect("Status", list(STATUS_COLOURS), default=list(STATUS_COLOURS), key="map_status")
shown = place_frame[place_frame["status"].isin(statuses)]
map_column, list_column = st.columns([3, 2])
with map_column:
    st_folium(place_map(shown, areas.load_boundaries(engine), settings.tiles), height=620,
              use_container_width=True, returned_objects=[], key="place_map")
    st.caption("Färg = status: " + ", ".join(f"{status}" for status in STATUS_COLOURS) + ". "
               "Utan internet ritas gränsen och platserna på enfärgad bakgrund.")
with list_column:
    name = st.selectbox("Plats", shown["name"], key="map_place")
    if name:
        place = shown[shown["name"] == name].iloc[0]
        st.markdown(f"**Status:** {place['status']}  \n**Samverkan:** {place['forum'] or '–'}")
        st.markdown(f"**Lägesbild:** {place['situation']}")
        st.markdown(f"**Nästa uppföljning:** {date(place['next_followup']) or '–'}  \n"
                    f"**Hur fortsätter vi:** {place['next_step']}")
        timeline = [(r.date, "Iakttagelse", f"{r.organisation}: {r.description}") for r in
                    observations[observations["place"] == name].itertuples()]
        timeline += [(r.date, "Åtgärd", f"{r.actor}: {r.description} ({r.status})") for r in
                     actions[actions["place"] == name].itertuples()]
        st.markdown("**Vad har vi gjort**")
        for when, what, text in sorted(timeline, key=lambda item: item[0], reverse=True):
            st.text(f"{date(when)}  {what}\n{text}")

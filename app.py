"""Lägesbild: the dashboard's frame and table of contents."""
import streamlit as st

# Which pages, in which order, with which titles. The first is the start page.
PAGES = [
    ("pages/oversikt.py", "Översikt", ":material/dashboard:"),
    ("pages/trender.py", "Trender", ":material/trending_up:"),
    ("pages/karta.py", "Karta", ":material/map:"),
    ("pages/medborgarloften.py", "Medborgarlöften", ":material/handshake:"),
    ("pages/samverkan.py", "Samverkan", ":material/groups:"),
    ("pages/radsmote.py", "Rådsmöte", ":material/co_present:"),
    ("pages/data.py", "Data", ":material/upload_file:"),
]


def navigation():
    """The app's navigation with every page."""
    return st.navigation([st.Page(path, title=title, icon=icon, default=index == 0)
                          for index, (path, title, icon) in enumerate(PAGES)])


if __name__ == "__main__":
    navigation().run()

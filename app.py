"""Lägesbild: the dashboard's frame and table of contents."""
import streamlit as st

from lagesbild import auth

# Which pages, in which order, with which titles, and the action (auth.PERMISSIONS) a page needs;
# the first is the start page.
PAGES = [
    ("pages/oversikt.py", "Översikt", ":material/dashboard:", None),
    ("pages/trender.py", "Trender", ":material/trending_up:", None),
    ("pages/karta.py", "Karta", ":material/map:", None),
    ("pages/medborgarloften.py", "Medborgarlöften", ":material/handshake:", None),
    ("pages/samverkan.py", "Samverkan", ":material/groups:", None),
    ("pages/radsmote.py", "Rådsmöte", ":material/co_present:", None),
    ("pages/aterkoppling.py", "Återkoppling", ":material/campaign:", None),
    ("pages/rapportera.py", "Rapportera", ":material/edit_note:", "skicka_in"),
    ("pages/granska.py", "Granska", ":material/fact_check:", "registrera"),
    ("pages/data.py", "Data", ":material/upload_file:", "importera"),
    ("pages/logg.py", "Logg", ":material/history:", "läsa_logg"),
]


def visible_titles(role: str) -> list[str]:
    """The titles in the menu for the role."""
    return [title for _, title, _, needs in PAGES if needs is None or auth.allowed(role, needs)]


def navigation(role: str | None = None):
    """The app's navigation; a page the role may not use is hidden from the menu (and refuses itself)."""
    if role is None:
        import ui

        role = ui.role()
    # Hidden, not left out: a page opened by its address must still run, to say it is not allowed.
    return st.navigation([st.Page(path, title=title, icon=icon, default=index == 0,
                                  visibility="visible" if needs is None or auth.allowed(role, needs) else "hidden")
                          for index, (path, title, icon, needs) in enumerate(PAGES)])


if __name__ == "__main__":
    import ui

    # The one error boundary around every page: a Swedish message and a reference, details in the server log.
    ui.guarded(lambda: navigation().run())

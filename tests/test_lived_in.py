"""Every page as every role on a database that looks lived-in: no exception, and each role sees its own."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import app
from lagesbild import audit, auth
from lived_in import ADMIN
from roles import open_app

INTERNAL_TEXT = "Planerad insats mot försäljning"  # an internal observation in the lived-in database




def everything_shown(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    parts += [str(e.value) for e in at.error] + [str(e.value) for e in at.info] + [str(e.value) for e in at.success]
    parts += [h.proto.body for h in at.get("html")]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(map(str, parts))


def test_the_lived_in_database_holds_every_kind_of_audit_entry(lived_in_engine):
    log = audit.load_log(lived_in_engine, ADMIN, limit=10_000)
    assert {"ny", "ändrad", "borttagen", "återställd", "import", "låst"} <= set(log["action"])
    assert log["before"].isna().any() and log["before"].notna().any()
    assert not audit.load_removed(lived_in_engine, ADMIN).empty
    # The trail reads as text for every entry, "ny" (no before) included.
    assert all(isinstance(audit.changed_fields(b, a), str) for b, a in zip(log["before"], log["after"]))


@pytest.mark.parametrize("role", auth.ROLES)
@pytest.mark.parametrize("path, title, needs", [(p, t, n) for p, t, _, n in app.PAGES])
def test_every_page_opens_for_every_role_on_a_lived_in_database(lived_in_engine, role, path, title, needs):
    at = open_app(path, role)
    shown = everything_shown(at)
    assert "Traceback" not in shown
    refusals = [e.value for e in at.error if "får du inte" in e.value]
    if needs and not auth.allowed(role, needs):
        assert refusals == [auth.refusal(role, needs)]
        return
    assert not refusals
    assert len(at.main.children) > 2
    # Nobody sees internal material unless they ask for it (the change log is the administrator's record).
    assert (INTERNAL_TEXT in shown) == (path == "pages/logg.py")
    if path == "pages/karta.py":
        assert any(b.key == "obs_save" for b in at.button) == auth.allowed(role, "registrera")
    if path == "pages/logg.py":
        changes = at.dataframe[0].value
        assert {"ny", "ändrad", "borttagen", "återställd"} <= set(changes["Händelse"])
        assert at.selectbox(key="restore_pick").options  # removed records offered for restore


@pytest.mark.parametrize("role", ["intern", "administratör"])
def test_a_role_that_may_sees_internal_material_when_it_asks(lived_in_engine, role):
    at = open_app("pages/karta.py", role, internal=True)
    at.selectbox(key="map_place").set_value("Tegnérlunden").run()
    assert not at.exception
    assert INTERNAL_TEXT in everything_shown(at)


def test_the_administrator_restores_a_removed_record_from_the_log(lived_in_engine):
    at = open_app("pages/logg.py", "administratör")
    before = len(audit.load_removed(lived_in_engine, ADMIN))
    at.button(key="restore_go").click().run()
    assert not at.exception
    assert len(audit.load_removed(lived_in_engine, ADMIN)) == before - 1
    assert any("återställd" in s.value for s in at.success)

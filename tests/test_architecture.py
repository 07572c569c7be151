"""The house rules that keep the data layer usable without the UI."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_data_layer_never_imports_streamlit():
    offenders = []
    for path in (ROOT / "lagesbild").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("streamlit", "streamlit_folium")]
    assert offenders == []


def test_every_page_is_in_the_navigation():
    import app

    listed = {path for path, *_ in app.PAGES}
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert listed == on_disk

"""The house rules: the data floor works without the UI, views turn data into what is shown, pages only lay it out."""
from __future__ import annotations

import ast
import re
import sys
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


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names += [f"{node.module}.{a.name}" if node.module == "lagesbild" else node.module or "" for a in node.names]
    return names


def test_pages_only_lay_out_what_a_view_returns():
    # A page may use Streamlit, ui (the shared frame) and the views floor; the standard library for dates and the
    # like. Never the data floor, pandas or SQL directly: what a page shows is computed in lagesbild/views/.
    allowed = {"streamlit", "streamlit_folium", "ui"} | set(sys.stdlib_module_names)
    offenders = [f"{page.name}: {name}" for page in (ROOT / "pages").glob("*.py") for name in imported_modules(page)
                 if not (name.split(".")[0] in allowed or name == "lagesbild.views" or name.startswith("lagesbild.views."))]
    assert offenders == []


def test_pages_are_screens():
    # About 150 lines: a page is a screen, its logic and texts live in its view.
    long = {page.name: n for page in (ROOT / "pages").glob("*.py")
            if (n := len(page.read_text(encoding="utf-8").splitlines())) > 160}
    assert long == {}


def test_the_data_floor_returns_no_html_or_colours():
    # Presentation lives in lagesbild/views/: no HTML tags or hex colours in the data modules.
    pattern = re.compile(r"<(div|span|b|p|br|strong|table)[\s>/]|#[0-9a-fA-F]{6}\b")
    offenders = [f"{path.name}:{number}" for path in (ROOT / "lagesbild").glob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []


def test_only_pages_that_draw_a_chart_or_a_photo_load_altair_or_pillow():
    # Each is some 5–25 MB of every server process; Karta once loaded Altair through its time patterns' module
    # and twenty sessions went over goal 5's memory (benchmarks/bench_memory.py).
    import subprocess

    views = ["oversikt", "karta", "loften", "samverkan", "radsmote", "data", "logg", "partners", "aterkoppling"]
    code = (f"import sys, ui\nfor v in {views!r}: __import__('lagesbild.views.' + v)\n"
            "print(sorted(m for m in ('altair', 'PIL', 'pillow_heif') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"

"""The exports: PowerPoint and PDF with the agenda's slides, and the `rapport` command."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from lagesbild import agenda, snapshots
from lagesbild.views import deck as slide_model, report
from lagesbild.views.deck import Deck, build_deck
from lagesbild.cli import main
from lagesbild.example import open_database
from lagesbild.audit import Actor

EDITOR = Actor("test.redaktor", "redaktör")
ADMIN = Actor("test.admin", "administratör")

ROOT = Path(__file__).resolve().parents[1]
MEETING = dt.date(2016, 12, 14)
TYPED = "Skolan <b>Norra Real</b> & Co"


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Deck:
    """The example meeting with one round-the-table answer full of markup characters."""
    engine = open_database(str(tmp_path_factory.mktemp("report") / "report.sqlite"))
    agenda.add_answer(engine, MEETING, TYPED, "Fler <inbrott> & stölder.", "", "", dt.datetime(2016, 12, 14, 11), by=EDITOR)
    return build_deck(engine, MEETING, 41)


@pytest.fixture(scope="module")
def pptx(deck) -> Presentation:
    return Presentation(io.BytesIO(report.pptx_bytes(deck)))


@pytest.fixture(scope="module")
def pdf(deck) -> PdfReader:
    return PdfReader(io.BytesIO(report.pdf_bytes(deck)))


def shape_texts(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_powerpoint_has_one_slide_per_agenda_item_with_its_title(deck, pptx):
    titles = list(agenda.read_agenda("dagordning.csv", (ROOT / "data" / "dagordning.csv").read_bytes())["rubrik"])
    assert len(pptx.slides) == len(deck.slides) == 18
    assert [slide.shapes.title.text for slide in pptx.slides] == titles
    assert titles[0] == "Norrmalms trygghets- och säkerhetsråd"
    assert titles[-1] == "Laget runt – lägesbild och behov"
    assert pptx.slide_width / pptx.slide_height == pytest.approx(16 / 9, rel=0.01)


def test_the_powerpoint_draws_charts_as_pictures_and_labels_every_slide_as_example(deck, pptx):
    for number, (slide, model) in enumerate(zip(pptx.slides, deck.slides), start=1):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        charts = [b for column in model.columns for b in column if b.kind == "chart"]
        assert len(pictures) == len(charts) and (model.kind not in ("statistik", "platser") or charts), model.title
        text = shape_texts(slide)
        assert "Exempeldata." in text and f"bild {number} av 18" in text
    activity = next(s for s, m in zip(pptx.slides, deck.slides) if m.title == "Ungdomar – Tobakstillsyn")
    assert "Totalt har 29 butiker besökts på Norrmalm och Kungsholmen." in shape_texts(activity)


def test_the_powerpoint_keeps_every_shape_on_the_slide(pptx):
    for slide in pptx.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, shape.name
            assert shape.left + shape.width <= pptx.slide_width, shape.name
            assert shape.top + shape.height <= pptx.slide_height, (slide.shapes.title.text, shape.name)


def test_typed_text_is_plain_text_in_both_exports(pptx, pdf):
    assert TYPED in shape_texts(pptx.slides[-1])
    text = " ".join(pdf.pages[-1].extract_text().split())
    assert TYPED in text and "Fler <inbrott> & stölder." in text


def test_the_pdf_has_the_same_sections_in_the_same_order(deck, pdf):
    assert [entry.title for entry in pdf.outline] == [s.title for s in deck.slides]
    pages = [pdf.get_destination_page_number(entry) for entry in pdf.outline]
    assert pages == sorted(pages) and pages[0] > 0, "after the front page, in agenda order"
    for slide, page in zip(deck.slides, pages):
        assert f"{slide.number}. {slide.title}" in " ".join(pdf.pages[page].extract_text().split())
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert all("Exempeldata." in page.extract_text() for page in pdf.pages)
    assert "minskade med 2,0 procentenheter 2015–2016" in text
    charts = [page for page in pdf.pages if "Lägesbild – medborgarundersökningen" in page.extract_text()]
    assert charts[-1].images, "the chart is on the page as an image"


def test_presenter_html_escapes_typed_text():
    html = report.block_html(slide_model.text('<img src=x onerror="alert(1)">'))
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    table = report.block_html(slide_model.answers([["<script>x</script>", "a", "b", "c"]]))
    assert "<script>" not in table and "&lt;script&gt;" in table


def test_the_rapport_command_writes_both_formats(tmp_path, capsys):
    assert main(["rapport", "--format", "pptx", "--out", str(tmp_path / "r.pptx")]) == 0
    assert "18 bilder från rådsmötet 2016-12-14 (exempeldata)" in capsys.readouterr().out
    assert len(Presentation(str(tmp_path / "r.pptx")).slides) == 18
    assert main(["rapport", "--format", "pdf", "--out", str(tmp_path / "r.pdf"), "--datum", "2017-06-14"]) == 0
    assert "Rådsmöte 2017-06-14" in PdfReader(str(tmp_path / "r.pdf")).pages[0].extract_text()


def test_the_rapport_command_writes_a_locked_snapshot(tmp_path, capsys):
    engine = open_database(str(tmp_path / "test.sqlite"))
    snapshot_id = snapshots.lock(engine, build_deck(engine, MEETING, 41), dt.datetime(2016, 12, 14, 12), by=EDITOR)
    assert main(["rapport", "--format", "pdf", "--out", str(tmp_path / "l.pdf"), "--ogonblick", str(snapshot_id)]) == 0
    assert "Låst lägesbild från rådsmötet 2016-12-14" in PdfReader(str(tmp_path / "l.pdf")).pages[0].extract_text()
    assert main(["rapport", "--format", "pdf", "--out", str(tmp_path / "x.pdf"), "--ogonblick", "99"]) == 1
    assert "det finns ingen låst lägesbild med nummer 99" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_the_rapport_help_is_in_swedish(capsys):
    with pytest.raises(SystemExit) as finished:
        main(["rapport", "--help"])
    assert finished.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Användning: python -m lagesbild rapport")
    assert "PowerPoint eller PDF-underlag" in out and "--format {pptx,pdf}" in out
    with pytest.raises(SystemExit) as finished:
        main(["rapport", "--format", "docx", "--out", "x"])
    assert finished.value.code == 2 and "docx" in capsys.readouterr().err


def test_the_powerpoint_carries_each_slides_sources_in_its_speaker_notes(deck, pptx):
    for slide, model in zip(pptx.slides, deck.slides):
        notes = slide.notes_slide.notes_text_frame.text
        assert model.source and model.source in notes, model.title
        assert "Läget per 2016-12-14" in notes and "Exempeldata." in notes


def test_the_pdf_numbers_its_pages_and_reads_content_before_footer(pdf):
    pages = len(pdf.pages)
    for number, page in enumerate(pdf.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert f"Sida {number} av {pages}" in text
        # The footer is drawn after the page's content: text extraction (and a screen reader) meets it last.
        assert text.index("Exempeldata.") > 0 and text.rstrip().endswith(f"Sida {number} av {pages}")

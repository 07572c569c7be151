"""The three renderers of the slide model: HTML for the presenter page, PowerPoint and a PDF handout.

Every text here comes from the database and may have been typed by anyone: it is escaped for HTML
and set as plain text in PowerPoint and PDF, never interpreted.
"""
from __future__ import annotations

import copy
import html
import io
from typing import Any

from .deck import Block, Deck, Slide
from ..formatting import date as format_date
from .loften import STATUS_COLOURS, STATUS_TEXT_COLOURS, meter_html

ANSWER_HEADER = ["Organisation", "Situation för verksamheten och brukarna", "Förändringar/utveckling",
                 "Behöver sdf och kommunpolisen jobba med"]
CHART_WIDTH = 900  # px of an exported chart before scaling
PRIMARY = "#1f5f8b"
MUTED = "#4a5562"


def density(slide: Slide) -> str:
    """How much text the slide holds: "normal", "dense" or "very-dense"; type shrinks with it."""
    chars = 0
    for block in slide.blocks():
        content = block.content
        chars += len(content.get("text", "")) + sum(len(str(i)) for i in content.get("items", []))
        chars += sum(len(str(c)) for row in content.get("rows", []) for c in row)
    if slide.kind == "platser" or chars > 1400:
        return "very-dense"
    return "dense" if chars > 800 else "normal"


# --------------------------------------------------------------------------- HTML (presenter page)

SLIDE_CSS = """
<style>
/* Sized for 1920×1080 from the back of the room; smaller screens scale down with their height. */
.slide-head h1 { font-size: min(3rem, 4.7vh); line-height: 1.15; margin: 0 0 0.3rem 0; padding: 0; color: #1b1f24; }
.slide-head .subtitle { font-size: min(1.5rem, 2.4vh); color: #4a5562; margin: 0 0 0.8rem 0; }
.slide-col { font-size: min(1.65rem, 2.6vh); line-height: 1.35; color: #1b1f24; }
.slide-col.dense { font-size: min(1.45rem, 2.3vh); }
.slide-col.very-dense { font-size: min(1.25rem, 2vh); }
/* A laptop or a 720p projector: the navigation bar takes a larger share of the height. */
@media (max-height: 800px) {
  .slide-head h1 { font-size: 4.3vh; } .slide-head .subtitle { font-size: 2.2vh; }
  .slide-col { font-size: 2.15vh; } .slide-col.dense { font-size: 2.05vh; } .slide-col.very-dense { font-size: 1.8vh; }
}
.slide-col h2 { font-size: 1.25em; color: #1f5f8b; margin: 0.6em 0 0.25em 0; padding: 0; }
.slide-col h2:first-child { margin-top: 0; }
.slide-col p, .slide-col ul, .slide-col ol, .slide-col li, .slide-col table, .slide-col td, .slide-col span {
  font-size: 1em !important; line-height: 1.35; }
.slide-col p { margin: 0 0 0.45em 0; }
.slide-col p.note { font-size: 0.78em !important; color: #4a5562; }
.slide-col ul, .slide-col ol { margin: 0 0 0.5em 0; padding-left: 1.2em; }
.slide-col li { margin-bottom: 0.3em; }
.slide-col table { border-collapse: collapse; width: 100%; }
.slide-col th { text-align: left; font-size: 0.85em; color: #4a5562; border-bottom: 2px solid #1b1f24;
  padding: 0.2em 0.5em; }
.slide-col td { border-bottom: 1px solid #d0d5dc; padding: 0.25em 0.5em; vertical-align: top; }
.slide-col .metric { display: flex; align-items: baseline; gap: 0.5em; margin-bottom: 0.2em; }
.slide-col .metric b { font-size: 2.1em; min-width: 2.2em; text-align: right; color: #1f5f8b; }
.slide-col .pledge { margin-bottom: 1em; }
.slide-col .pledge .pledge-meter { max-width: 34rem; }
.slide-col .pledge-meter > div:last-child { font-size: 1em !important; }
.stAlert p { font-size: 1rem !important; }
/* A chart never taller than the screen leaves between the title and the navigation bar (1280×720 too). */
[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg {
  max-height: calc(100vh - 19rem); width: auto !important; height: auto !important; max-width: 100%; }
.slide-source, p.slide-source { font-size: min(1.05rem, 1.8vh) !important; color: #4a5562; margin-top: 0.6rem; }
</style>
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def head_html(slide: Slide) -> str:
    """The slide's title and subtitle."""
    subtitle = f'<p class="subtitle">{_e(slide.subtitle)}</p>' if slide.subtitle else ""
    return f'<div class="slide-head"><h1>{_e(slide.title)}</h1>{subtitle}</div>'


def source_html(slide: Slide) -> str:
    """The source line under the slide, empty when the slide has none."""
    return f'<p class="slide-source">{_e(slide.source)}</p>' if slide.source else ""


def column_parts(slide: Slide, column: list[Block]) -> list[str | dict[str, Any]]:
    """A column as the page draws it: HTML strings for runs of text, and chart blocks' dicts as they come."""
    parts: list[str | dict[str, Any]] = []
    run: list[str] = []
    for block in column:
        if block.kind == "chart":
            if run:
                parts.append(_column_html(slide, run))
                run = []
            parts.append(block.content)
        else:
            run.append(block_html(block))
    if run:
        parts.append(_column_html(slide, run))
    return parts


def _column_html(slide: Slide, pieces: list[str]) -> str:
    return f'<div class="slide-col {density(slide)}">{"".join(pieces)}</div>'


def block_html(block: Block) -> str:
    """One block as escaped HTML."""
    c = block.content
    if block.kind == "heading":
        return f"<h2>{_e(c['text'])}</h2>"
    if block.kind in ("text", "note"):
        return f'<p class="{block.kind}">{_e(c["text"])}</p>'
    if block.kind == "bullets":
        tag = "ol" if c.get("numbered") else "ul"
        return f"<{tag}>" + "".join(f"<li>{_e(item)}</li>" for item in c["items"]) + f"</{tag}>"
    if block.kind == "table":
        return _table_html(c["header"], c["rows"])
    if block.kind == "answers":
        return _table_html(ANSWER_HEADER, c["rows"])
    if block.kind == "metrics":
        return "".join(f'<div class="metric"><b>{_e(value)}</b><span>{_e(label)}</span></div>'
                       for label, value in c["items"])
    if block.kind == "pledge":
        return _pledge_html(c)
    raise ValueError(f"unknown block kind {block.kind}")


def _table_html(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pledge_html(c: dict[str, Any]) -> str:
    if c["status"]:
        meter = meter_html(c["done"], c["target"], c["expected"], c["status"], c["unit"], c["show_pace"])
    else:
        meter = f'<p>Mål: <b>{c["target"]}</b> {_e(c["unit"])} · Ansvarig: {_e(c["responsible"])}</p>'
    return (f'<div class="pledge"><p><b>{c["number"]}.</b> {_e(c["text"])}</p>{meter}'
            f'<p class="note">{_e(c["sentence"])}</p></div>')


# --------------------------------------------------------------------------- charts as images

def chart_png(content: dict[str, Any], width: int = CHART_WIDTH, scale: float = 2) -> bytes:
    """A chart block drawn as PNG from its stored Vega-Lite spec (offline, with vl-convert)."""
    import vl_convert

    spec = copy.deepcopy(content["spec"])
    spec["width"] = width
    return vl_convert.vegalite_to_png(vl_spec=spec, scale=scale)


# --------------------------------------------------------------------------- PowerPoint

SLIDE_W, MARGIN, GAP = 13.333, 0.6, 0.35  # inches
CONTENT_BOTTOM = 6.5
BODY_SIZES = (22, 20, 18, 16, 15, 14, 13, 12, 11, 10)  # points, largest that fits wins
MIN_CHART_HEIGHT = 3.0
EMU_PER_INCH = 914400


def pptx_bytes(deck: Deck) -> bytes:
    """The deck as a 16:9 PowerPoint file: one slide per agenda item, charts as pictures."""
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(SLIDE_W), Inches(7.5)
    presentation.core_properties.title = f"{deck.council} {format_date(deck.meeting_date)}"
    presentation.core_properties.language = "sv-SE"
    layout = presentation.slide_layouts[5]  # "Title Only": the title stays a real title for outlines and readers
    for slide in deck.slides:
        target = presentation.slides.add_slide(layout)
        _pptx_slide(target, slide, deck)
        # The speaker notes carry the slide's sources (and the example notice): what the presenter is asked.
        target.notes_slide.notes_text_frame.text = "\n".join(
            line for line in (slide.source or "Källa: –", deck.notice) if line)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _pptx_slide(target, slide: Slide, deck: Deck) -> None:
    from pptx.util import Inches, Pt

    width = SLIDE_W - 2 * MARGIN
    title_size = next(s for s in (34, 30, 26, 22) if _lines(slide.title, s, width, bold=True) <= 1 or s == 22)
    title_lines = min(_lines(slide.title, title_size, width, bold=True), 2)
    title = target.shapes.title
    title_height = title_lines * title_size * 1.2 / 72 + 0.15
    title.left, title.top, title.width, title.height = (Inches(MARGIN), Inches(0.35), Inches(width),
                                                        Inches(title_height))
    title.text_frame.text = slide.title
    title.text_frame.word_wrap = True
    title.text_frame.vertical_anchor = 1  # top
    for paragraph in title.text_frame.paragraphs:
        paragraph.alignment = 1  # left
        for run in paragraph.runs:
            run.font.size, run.font.bold = Pt(title_size), True
    top = 0.35 + title_height + 0.1
    if slide.subtitle:
        subtitle = [("text", slide.subtitle, 16, False, MUTED)]
        _textbox(target, MARGIN, top, width, _height(subtitle, width), subtitle)
        top += _height(subtitle, width) + 0.05
    widths = slide.widths or [1] * len(slide.columns)
    usable = width - GAP * (len(widths) - 1)
    column_widths = [usable * w / sum(widths) for w in widths]
    room = CONTENT_BOTTOM - top
    body = next((size for size in BODY_SIZES if all(
        _column_height(column, w, size, _small(size)) <= room
        for column, w in zip(slide.columns, column_widths))), BODY_SIZES[-1])
    left = MARGIN
    for column, column_width in zip(slide.columns, column_widths):
        _pptx_column(target, column, left, top, column_width, room, body, _small(body))
        left += column_width + GAP
    footer = []
    if slide.source:
        footer.append(("text", slide.source, 10, False, MUTED))
    if deck.notice:
        footer.append(("text", deck.notice, 10, True, "#8a5a00"))
    footer.append(("text", f"{deck.council} · {format_date(deck.meeting_date)} · bild {slide.number} av "
                           f"{len(deck.slides)}", 9, False, MUTED))
    _textbox(target, MARGIN, 7.45 - _height(footer, width), width, _height(footer, width), footer)


def _small(body: float) -> float:
    return max(round(body * 0.72), 9)


def _lines(text: str, size: float, width: float, bold: bool = False) -> int:
    """Lines the text wraps to in a box `width` inches wide (Vera's metrics: wider than Calibri, so safe)."""
    from reportlab.lib.utils import simpleSplit

    _register_fonts()
    return max(1, len(simpleSplit(str(text), "Vera-Bold" if bold else "Vera", size, (width - 0.2) * 72)))


def _height(paragraphs: list[tuple], width: float) -> float:
    """Inches a text box needs for the paragraphs: wrapped lines, spacing and the box's margins."""
    points = 0.0
    for index, (kind, text, size, bold, _) in enumerate(paragraphs):
        points += _lines(text, size, width, bold) * size * 1.2 + size * 0.35
        if kind == "heading" and index:
            points += size * 0.5
    return points / 72 + 0.15


def _column_height(column: list[Block], width: float, body: float, small: float) -> float:
    height, run = 0.0, []
    for block in column:
        if block.kind == "chart":
            height += _height(run, width) + MIN_CHART_HEIGHT if run else MIN_CHART_HEIGHT
            run = []
        elif block.kind in ("table", "answers"):
            height += (_height(run, width) if run else 0) + _table_height(block, width, small)
            run = []
        else:
            run += _pptx_paragraphs(block, body, small)
    return height + (_height(run, width) if run else 0)


def _table_rows(block: Block) -> tuple[list[str], list[list[str]]]:
    c = block.content
    return (c["header"] if block.kind == "table" else ANSWER_HEADER), c["rows"]


def _table_height(block: Block, width: float, size: float) -> float:
    header, rows = _table_rows(block)
    cell = width / len(header)
    return sum(max(_lines(value, size, cell, index == 0) for value in row) * size * 1.2 / 72 + 0.12
               for index, row in enumerate([header, *rows])) + 0.15


def _pptx_column(target, column: list[Block], left: float, top: float, width: float, room: float,
                 body: float, small: float) -> None:
    from pptx.util import Inches

    y, bottom, run = top, top + room, []

    def flush() -> None:
        nonlocal y, run
        if run:
            _textbox(target, left, y, width, _height(run, width), run)
            y += _height(run, width)
            run = []

    for block in column:
        c = block.content
        if block.kind == "chart":
            flush()
            picture = target.shapes.add_picture(io.BytesIO(chart_png(c)), Inches(left), Inches(y), width=Inches(width))
            if picture.height > Inches(bottom - y):
                ratio = Inches(bottom - y) / picture.height
                picture.height, picture.width = int(picture.height * ratio), int(picture.width * ratio)
            picture.name = c["title"]
            y += picture.height / EMU_PER_INCH
        elif block.kind in ("table", "answers"):
            flush()
            y += _pptx_table(target, block, left, y, width, small)
        else:
            run += _pptx_paragraphs(block, body, small)
    flush()


def _pptx_paragraphs(block: Block, body: float, small: float) -> list[tuple]:
    """(kind, text, size in points, bold, colour) per paragraph of a text-like block."""
    c = block.content
    if block.kind == "heading":
        return [("heading", c["text"], body * 1.1, True, PRIMARY)]
    if block.kind == "text":
        return [("text", c["text"], body, False, "#1b1f24")]
    if block.kind == "note":
        return [("text", c["text"], small, False, MUTED)]
    if block.kind == "bullets":
        mark = (lambda i: f"{i}. ") if c.get("numbered") else (lambda i: "• ")
        return [("text", mark(i) + item, body, False, "#1b1f24") for i, item in enumerate(c["items"], start=1)]
    if block.kind == "metrics":
        return [("text", f"{value}  {label}", body, False, "#1b1f24") for label, value in c["items"]]
    if block.kind == "pledge":
        lines = [("text", f"{c['number']}. {c['text']}", body, True, "#1b1f24"),
                 ("text", _pledge_count(c), body, False, "#1b1f24")]
        if c["status"]:
            lines.append(("status", c["status"], small, True, STATUS_COLOURS[c["status"]]))
        return [*lines, ("text", c["sentence"], small, False, MUTED)]
    raise ValueError(f"unknown block kind {block.kind}")


def _pledge_count(c: dict[str, Any]) -> str:
    if c["status"]:
        return f"{c['done']} av {c['target']} {c['unit']}"
    return f"Mål: {c['target']} {c['unit']} · Ansvarig: {c['responsible']}"


def _textbox(target, left: float, top: float, width: float, height: float, paragraphs: list[tuple]) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    box = target.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(max(height, 0.3)))
    frame = box.text_frame
    frame.word_wrap = True
    for index, (kind, text, size, bold, colour) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(size * 0.35)
        if kind == "heading" and index:
            paragraph.space_before = Pt(size * 0.5)
        run = paragraph.add_run()
        run.text = f" {text} " if kind == "status" else text
        run.font.size, run.font.bold = Pt(size), bold
        if kind == "status":
            run.font.color.rgb = RGBColor.from_string(STATUS_TEXT_COLOURS.get(text, "#ffffff").lstrip("#"))
            _highlight(run, colour)
        else:
            run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))


def _highlight(run, colour: str) -> None:
    """A coloured background behind a run (PowerPoint's text highlight)."""
    from lxml import etree
    from pptx.oxml.ns import qn

    highlight = etree.SubElement(run.font._rPr, qn("a:highlight"))
    etree.SubElement(highlight, qn("a:srgbClr"), val=colour.lstrip("#").upper())


def _pptx_table(target, block: Block, left: float, top: float, width: float, size: float) -> float:
    from pptx.util import Inches, Pt

    header, rows = _table_rows(block)
    height = _table_height(block, width, size)
    shape = target.shapes.add_table(len(rows) + 1, len(header), Inches(left), Inches(top), Inches(width),
                                    Inches(height - 0.15))
    grid = shape.table
    cell_width = width / len(header)
    for r, row in enumerate([header, *rows]):
        grid.rows[r].height = Inches(max(_lines(v, size, cell_width, r == 0) for v in row) * size * 1.2 / 72 + 0.12)
        for col, value in enumerate(row):
            cell = grid.cell(r, col)
            cell.text = str(value)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size, run.font.bold = Pt(size), r == 0
    return height


# --------------------------------------------------------------------------- PDF handout

def pdf_bytes(deck: Deck, snapshot_note: str | None = None) -> bytes:
    """The deck as an A4 handout: a title page, then one section per agenda item with its charts."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    _register_fonts()
    styles = _pdf_styles()

    def footer(canvas, page: int, pages: int | None) -> None:
        canvas.saveState()
        canvas.setFont("Vera", 8)
        canvas.setFillColorRGB(0.29, 0.33, 0.38)
        y = 1.2 * cm
        if deck.notice:
            from reportlab.lib.utils import simpleSplit

            for offset, line in enumerate(reversed(simpleSplit(deck.notice, "Vera", 8, A4[0] - 4 * cm))):
                canvas.drawString(2 * cm, y + 10 * (offset + 1), line)
        canvas.drawString(2 * cm, y, f"{deck.council} · rådsmöte {format_date(deck.meeting_date)}")
        canvas.drawRightString(A4[0] - 2 * cm, y, f"Sida {page} av {pages}" if pages else f"Sida {page}")
        canvas.restoreState()

    class Handout(SimpleDocTemplate):
        pages: int | None = None

        def afterPage(self) -> None:  # noqa: N802 (ReportLab's name)
            # After the page's content, so a reader (or a screen reader) meets the footer last.
            footer(self.canv, self.page, self.pages)

    def build(out: io.BytesIO, pages: int | None) -> int:
        document = Handout(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                           bottomMargin=2.4 * cm, title=f"{deck.council} {format_date(deck.meeting_date)}",
                           author=deck.council, lang="sv-SE")
        document.pages = pages
        story = _pdf_front(deck, styles, snapshot_note)
        for slide in deck.slides:
            story += _pdf_section(slide, styles, document.width)
        document.build(story)
        return document.page

    # Twice: the first build counts the pages for "Sida N av M" (the footer's height does not change with M).
    pages = build(io.BytesIO(), None)
    out = io.BytesIO()
    build(out, pages)
    return out.getvalue()


_FONTS_READY = False


def _register_fonts() -> None:
    """ReportLab's bundled Bitstream Vera: å, ä, ö, en dash and the minus sign without system fonts."""
    global _FONTS_READY
    if _FONTS_READY:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file in (("Vera", "Vera.ttf"), ("Vera-Bold", "VeraBd.ttf"), ("Vera-Italic", "VeraIt.ttf"),
                       ("Vera-BoldItalic", "VeraBI.ttf")):
        pdfmetrics.registerFont(TTFont(name, file))
    pdfmetrics.registerFontFamily("Vera", normal="Vera", bold="Vera-Bold", italic="Vera-Italic",
                                  boldItalic="Vera-BoldItalic")
    _FONTS_READY = True


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName="Vera", fontSize=10.5, leading=14.5, spaceAfter=4)
    return {
        "cover": ParagraphStyle("cover", parent=base, fontName="Vera-Bold", fontSize=24, leading=30, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=base, fontName="Vera-Bold", fontSize=16, leading=20, spaceBefore=14,
                             spaceAfter=4, keepWithNext=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, textColor=HexColor(MUTED), spaceAfter=8, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=base, fontName="Vera-Bold", fontSize=11.5, textColor=HexColor(PRIMARY),
                             spaceBefore=6, keepWithNext=1),
        "body": base,
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=14, bulletIndent=2),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=11.5, textColor=HexColor(MUTED)),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "notice": ParagraphStyle("notice", parent=base, backColor=HexColor("#fff4d6"), borderPadding=6,
                                 spaceBefore=8, spaceAfter=12),
    }


def _p(text: str, style) -> Any:
    from reportlab.platypus import Paragraph

    # Paragraph reads a small XML markup: escaping makes typed text plain text.
    return Paragraph(html.escape(str(text), quote=False), style)


def _pdf_front(deck: Deck, styles: dict[str, Any], snapshot_note: str | None) -> list:
    from reportlab.platypus import PageBreak

    story = [_p(deck.council, styles["cover"]), _p(f"Rådsmöte {format_date(deck.meeting_date)}", styles["h1"])]
    if deck.since:
        story.append(_p(f"Förändringar räknas från föregående rådsmöte {format_date(deck.since)}.",
                        styles["body"]))
    story.append(_p(f"Underlaget togs fram {deck.built_at.strftime('%Y-%m-%d %H:%M')} ur lägesbildens databas "
                    "och innehåller endast material märkt öppen.", styles["body"]))
    if snapshot_note:
        story.append(_p(snapshot_note, styles["body"]))
    if deck.notice:
        story.append(_p(deck.notice, styles["notice"]))
    story.append(_p("Innehåll", styles["h2"]))
    story += [_p(f"{s.number}. {s.title}", styles["bullet"]) for s in deck.slides]
    return [*story, PageBreak()]


def _pdf_section(slide: Slide, styles: dict[str, Any], width: float) -> list:
    from reportlab.platypus import CondPageBreak, Spacer
    from reportlab.lib.units import cm

    story = [CondPageBreak(5 * cm), _section_heading(f"{slide.number}. {slide.title}", slide.title, styles["h1"])]
    if slide.subtitle:
        story.append(_p(slide.subtitle, styles["subtitle"]))
    for block in slide.blocks():
        story += _pdf_block(block, styles, width)
    if slide.source:
        story.append(_p(slide.source, styles["note"]))
    story.append(Spacer(1, 6))
    return story


def _pdf_block(block: Block, styles: dict[str, Any], width: float) -> list:
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Image, Table, TableStyle

    c = block.content
    if block.kind == "heading":
        return [_p(c["text"], styles["h2"])]
    if block.kind == "text":
        return [_p(c["text"], styles["body"])]
    if block.kind == "note":
        return [_p(c["text"], styles["note"])]
    if block.kind == "bullets":
        return [_bullet(f"{i}." if c.get("numbered") else "•", item, styles)
                for i, item in enumerate(c["items"], start=1)]
    if block.kind == "metrics":
        return [_p(f"{value} {label}", styles["bullet"]) for label, value in c["items"]]
    if block.kind == "pledge":
        status = f", status: {c['status']}" if c["status"] else ""
        return [_p(f"{c['number']}. {c['text']}", styles["body"]),
                _p(f"{_pledge_count(c)}{status}. {c['sentence']}", styles["note"])]
    if block.kind == "chart":
        png = chart_png(c, scale=2)
        image = Image(io.BytesIO(png))
        ratio = width / image.imageWidth
        image.drawWidth, image.drawHeight = width, image.imageHeight * ratio
        return [image]
    if block.kind in ("table", "answers"):
        header = c["header"] if block.kind == "table" else ANSWER_HEADER
        rows = [[_p(h, styles["cell"]) for h in header]] + [[_p(v, styles["cell"]) for v in row] for row in c["rows"]]
        grid = Table(rows, colWidths=[width / len(header)] * len(header), repeatRows=1)
        grid.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 1, HexColor("#1b1f24")),
                                  ("LINEBELOW", (0, 1), (-1, -1), 0.3, HexColor("#d0d5dc")),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [grid]
    raise ValueError(f"unknown block kind {block.kind}")


def _bullet(mark: str, text: str, styles: dict[str, Any]) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(html.escape(str(text), quote=False), styles["bullet"], bulletText=mark)


def _section_heading(text: str, outline: str, style) -> Any:
    """A heading that is also the PDF's bookmark (table of contents entry) for its section."""
    from reportlab.platypus import Paragraph

    class SectionHeading(Paragraph):
        def draw(self):
            key = f"avsnitt-{id(self)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(outline, key, level=0)
            super().draw()

    return SectionHeading(html.escape(text, quote=False), style)

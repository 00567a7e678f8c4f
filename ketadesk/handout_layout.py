"""Paper layout of patient handouts: the handout HTML (render.handout_html) set in a
QTextDocument and painted page by page, with a header (clinic, phone, date printed) and a
footer (content version, review date, the reminder, page numbers), to a PDF or a printer.

Qt GUI classes only (QTextDocument, QPdfWriter, QPainter), no widgets, so the command line can
make PDFs without a window. PDFs are made in memory and written through a temporary file that
is renamed into place, so a failed write never leaves a half-written file under the real name.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLocale, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from . import render
from .errors import StoreError
from .files import write_atomically
from .records import HandoutOptions, HandoutPart

PAPER_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
BODY_POINTS = 12.0
"""Body text: at least 12 pt, as patient-education guidance asks."""
LARGE_PRINT_POINTS = 18.0
"""Large print: 18 pt body, as large-print guidance asks."""
MARGIN_MM = 16.0
PDF_DPI = 300


class HandoutError(StoreError):
    """A handout could not be made; the message says why, in one sentence."""


def default_paper(locale: QLocale | None = None) -> str:
    """Letter where the locale measures in US units, A4 elsewhere."""
    locale = locale or QLocale()
    imperial = locale.measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
    return "letter" if imperial else "a4"


def ensure_gui() -> None:
    """Text layout needs a QGuiApplication; make an offscreen one if nobody has (the CLI)."""
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QGuiApplication([])


def _page_layout(options: HandoutOptions) -> QPageLayout:
    if options.paper not in PAPER_SIZES:
        raise HandoutError(f"unknown paper size {options.paper!r} (use a4 or letter)")
    return QPageLayout(
        QPageSize(PAPER_SIZES[options.paper]),
        QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def paint(
    device: QPagedPaintDevice,
    parts: Sequence[HandoutPart],
    options: HandoutOptions,
    *,
    content_version: str,
    printed: dt.date,
) -> list[int]:
    """Paint every part on `device` (a QPdfWriter or a QPrinter); return each part's pages."""
    ensure_gui()
    device.setPageLayout(_page_layout(options))
    points = LARGE_PRINT_POINTS if options.large_print else BODY_POINTS
    small = QFont("sans-serif")
    small.setPointSizeF(points - 2 if options.large_print else 10)
    painter = QPainter()
    if not painter.begin(device):
        raise HandoutError("the printer or PDF could not be opened for drawing")
    try:
        # the painter's origin is already the paint rectangle's top-left (the margins are
        # applied by the device), so the page is drawn from (0, 0): offsetting by the
        # paint rectangle's position too would apply the margins twice
        paint_rect = device.pageLayout().paintRectPixels(device.resolution())
        page_rect = QRectF(0, 0, paint_rect.width(), paint_rect.height())
        metrics = QFontMetricsF(small, device)
        header_h = metrics.lineSpacing() * 2.6
        wrap = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        reminder = metrics.boundingRect(
            QRectF(0, 0, page_rect.width(), 1e6), wrap, render.HANDOUT_REMINDER
        )
        footer_h = reminder.height() + metrics.lineSpacing() * 1.6
        body = QRectF(
            page_rect.left(),
            page_rect.top() + header_h,
            page_rect.width(),
            page_rect.height() - header_h - footer_h,
        )
        pages: list[int] = []
        first = True
        for part in parts:
            document = _document(part, options, points, device, body.size())
            count = document.pageCount()
            pages.append(count)
            for page in range(count):
                if not first:
                    device.newPage()
                first = False
                _header(painter, page_rect, small, options, printed)
                painter.save()
                painter.translate(body.left(), body.top() - page * body.height())
                # a line is laid out wholly on one page; the clip stops one unit short so that
                # the first line of the next page (starting exactly on the edge) is not drawn
                # here too, hidden but present in the PDF's text
                clip = QRectF(0, page * body.height(), body.width(), body.height() - 1)
                document.drawContents(painter, clip)
                painter.restore()
                _footer(painter, page_rect, footer_h, small, part, content_version, page + 1, count)
        return pages
    finally:
        painter.end()


def _document(
    part: HandoutPart,
    options: HandoutOptions,
    points: float,
    device: QPagedPaintDevice,
    size: QSizeF,
) -> QTextDocument:
    document = QTextDocument()
    document.documentLayout().setPaintDevice(device)
    font = QFont("sans-serif")
    font.setPointSizeF(points)
    document.setDefaultFont(font)
    document.setDefaultStyleSheet(
        "h1 { font-size: x-large; } h2 { font-size: large; margin-top: 10px; } "
        "h3 { font-size: medium; } li { margin-bottom: 2px; }"
    )
    document.setDocumentMargin(0)
    document.setPageSize(size)
    document.setHtml(
        render.handout_html(
            part.handout,
            discussed=part.discussed,
            references=part.references if options.references else (),
            phone=options.phone,
            large_print=options.large_print,
        )
    )
    return document


def _header(
    painter: QPainter, page: QRectF, font: QFont, options: HandoutOptions, printed: dt.date
) -> None:
    painter.setFont(font)
    line = QFontMetricsF(font, painter.device()).lineSpacing()
    blank = "______________________"
    clinic = f"Clinic: {options.clinic or blank}"
    phone = f"Phone: {options.phone or blank}"
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
    painter.drawText(QRectF(page.left(), page.top(), page.width(), line), left, clinic)
    painter.drawText(QRectF(page.left(), page.top() + line, page.width(), line), left, phone)
    painter.drawText(
        QRectF(page.left(), page.top(), page.width(), line), right, f"Printed {printed.isoformat()}"
    )
    y = page.top() + line * 2.2
    painter.drawLine(page.left(), y, page.right(), y)


def _footer(
    painter: QPainter,
    page: QRectF,
    height: float,
    font: QFont,
    part: HandoutPart,
    content_version: str,
    number: int,
    count: int,
) -> None:
    """The reminder, then the content version and review date with the page number."""
    painter.setFont(font)
    line = QFontMetricsF(font, painter.device()).lineSpacing()
    top = page.bottom() - height + line * 0.3
    painter.drawLine(page.left(), top, page.right(), top)
    wrap = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    reminder = QRectF(page.left(), top + line * 0.2, page.width(), height - line * 1.3)
    painter.drawText(reminder, wrap, render.HANDOUT_REMINDER)
    reviewed = part.handout.last_reviewed.isoformat() if part.handout.last_reviewed else "-"
    facts = QRectF(page.left(), page.bottom() - line, page.width(), line)
    top_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
    painter.drawText(facts, top_left, f"ketadesk content {content_version}, reviewed {reviewed}")
    top_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
    painter.drawText(facts, top_right, f"Page {number} of {count}")


def export_pdf(
    parts: Sequence[HandoutPart],
    options: HandoutOptions,
    path: Path,
    *,
    content_version: str,
    printed: dt.date,
) -> list[int]:
    """Write the handouts to one PDF at `path` (atomically); return each part's page count."""
    data, pages = pdf_bytes(parts, options, content_version=content_version, printed=printed)
    write_atomically(data, path)
    return pages


def pdf_bytes(
    parts: Sequence[HandoutPart],
    options: HandoutOptions,
    *,
    content_version: str,
    printed: dt.date,
    title: str = "",
) -> tuple[bytes, list[int]]:
    """The PDF, made in memory, and each part's page count."""
    ensure_gui()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setTitle(title or (parts[0].handout.title if parts else "Handout"))
    writer.setCreator("ketadesk")
    pages = paint(writer, parts, options, content_version=content_version, printed=printed)
    del writer
    buffer.close()
    return bytes(data.data()), pages

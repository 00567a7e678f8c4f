"""Every handout survives a real printer: no ink within 10 mm of any paper edge.

Printers cannot print the last 4–6 mm of a sheet. Reading a PDF's text back cannot tell where the
text sits, so each page is rendered to pixels with poppler's `pdftoppm` (installed by .ci/run)
and the outer band of every page must be blank: text, the emergency box's border, the footer's
page numbers and content version all lie inside it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

from ketadesk import handout_layout, handouts
from ketadesk.records import HandoutOptions
from ketadesk.store import Store

DPI = 36
BAND_MM = 10
BAND_PX = int(BAND_MM / 25.4 * DPI)  # 14 px at 36 dpi: 9.9 mm
INK = 200  # a grey level darker than this is ink (0 black, 255 white)


@pytest.fixture(scope="module")
def pdftoppm():
    tool = shutil.which("pdftoppm")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: .ci/run installs poppler-utils")
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    return tool


def pages(pdftoppm: str, pdf: Path) -> list[tuple[int, int, bytes]]:
    """Each page as (width, height, grey pixels), one pdftoppm call per PDF."""
    prefix = pdf.with_suffix("")
    subprocess.run([pdftoppm, "-r", str(DPI), "-gray", str(pdf), str(prefix)], check=True)
    result = []
    for image in sorted(pdf.parent.glob(prefix.name + "-*.pgm")):
        data = image.read_bytes()
        magic, width, height, maxval, pixels = data.split(maxsplit=4)
        assert magic == b"P5" and maxval == b"255"
        result.append((int(width), int(height), pixels))
        image.unlink()
    return result


def ink_near_edges(width: int, height: int, pixels: bytes) -> list[str]:
    """Where dark pixels lie within the band: 'left', 'right', 'top', 'bottom'."""
    found = []
    rows = [pixels[y * width : (y + 1) * width] for y in range(height)]
    if any(min(r[:BAND_PX]) < INK for r in rows):
        found.append("left")
    if any(min(r[width - BAND_PX :]) < INK for r in rows):
        found.append("right")
    if any(min(r) < INK for r in rows[:BAND_PX]):
        found.append("top")
    if any(min(r) < INK for r in rows[height - BAND_PX :]):
        found.append("bottom")
    return found


def runs(store: Store):
    for handout_id in [*store.condition_ids(), "treatment-day"]:
        for with_day in (False, True) if handout_id != "treatment-day" else (False,):
            yield handout_id, with_day


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("large_print", [False, True], ids=["default", "large-print"])
def test_no_ink_within_10_mm_of_any_edge(pdftoppm, tmp_path, paper, large_print):
    options = HandoutOptions(
        paper=paper, large_print=large_print, clinic="Riverside Clinic", phone="555 0100"
    )
    problems = []
    with Store.open(REPO / "resources" / "ketadesk.db", read_only=True) as store:
        checked = 0
        for handout_id, with_day in runs(store):
            parts = handouts.print_run(store, handout_id, with_treatment_day=with_day)
            pdf = tmp_path / f"{handout_id}-{with_day}.pdf"
            handout_layout.export_pdf(
                parts, options, pdf, content_version="2026.11.0", printed=dt.date(2026, 12, 2)
            )
            for number, page in enumerate(pages(pdftoppm, pdf), 1):
                checked += 1
                if edges := ink_near_edges(*page):
                    problems.append(
                        f"{handout_id} (+treatment day: {with_day}) page {number}: {edges}"
                    )
    assert checked > 40
    assert problems == [], "ink within 10 mm of the edge:\n" + "\n".join(problems)


def test_the_check_sees_ink_at_an_edge(pdftoppm, tmp_path):
    """The band check itself: a page whose content touches the right edge fails it."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

    handout_layout.ensure_gui()
    pdf = tmp_path / "edge.pdf"
    writer = QPdfWriter(str(pdf))
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter(writer)
    painter.drawText(writer.width() - 300, writer.height() // 2, "x" * 10)
    painter.end()
    (page,) = pages(pdftoppm, pdf)
    assert ink_near_edges(*page) == ["right"]

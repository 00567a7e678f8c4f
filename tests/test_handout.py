"""Patient handouts on paper: exported to PDF and read back, as a patient would get them."""

from __future__ import annotations

import datetime as dt
import errno
import os
import unicodedata
from pathlib import Path

import pytest
import textstat
from conftest import REPO
from pypdf import PdfReader
from PySide6.QtCore import QLocale

from ketadesk import handout_layout, handouts
from ketadesk.files import WriteError
from ketadesk.readability import MAX_HANDOUT_GRADE
from ketadesk.records import HANDOUT_HEADINGS, HandoutOptions
from ketadesk.store import NotFoundError, Store

PRINTED = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def bundled():
    with Store.open(REPO / "resources" / "ketadesk.db", read_only=True) as store:
        yield store


DEFAULT = HandoutOptions()


def export(store, handout_id, path: Path, options=DEFAULT, **run) -> list[int]:
    parts = handouts.print_run(store, handout_id, **run)
    return handout_layout.export_pdf(
        parts, options, path, content_version="2026.11.0", printed=PRINTED
    )


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    """Whitespace collapsed and ligatures unfolded ("ﬀ" back to "ff"), as a reader sees it."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def test_a_handout_pdf_has_everything_a_patient_needs(bundled, tmp_path):
    path = tmp_path / "trd.pdf"
    options = HandoutOptions(clinic="Riverside Clinic", phone="555 0100")
    pages = export(
        bundled,
        "treatment-resistant-depression",
        path,
        options,
        discussed=["dissociation", "impaired-driving"],
    )
    texts = pdf_text(path)
    assert len(texts) == sum(pages) == 2
    whole = flat(" ".join(texts))
    assert "Treatment-resistant depression: ketamine treatment" in whole
    for heading in HANDOUT_HEADINGS:
        assert heading in whole, heading
    assert "Discussed with your clinician" in whole
    plain = {e.id: e.plain_name for e in bundled.side_effects()}
    assert f"{plain['dissociation']} {plain['impaired-driving']}" in whole
    assert plain["nausea-vomiting"] not in whole, "only the ticked ones"
    assert "Our phone number: 555 0100" in whole
    for number, text in enumerate(texts, start=1):
        page = flat(text)
        assert "Clinic: Riverside Clinic" in page and "Phone: 555 0100" in page
        assert "Printed 2026-11-21" in page
        assert f"Page {number} of 2" in page
        assert "ketadesk content 2026.11.0, reviewed 2026-12-02" in page
        assert "It does not take the place of their advice." in page


def test_an_unset_clinic_leaves_blank_lines_to_write_on(bundled, tmp_path):
    export(bundled, "panic-disorder", tmp_path / "p.pdf")
    first = flat(pdf_text(tmp_path / "p.pdf")[0])
    assert "Clinic: ____" in first and "Phone: ____" in first
    assert "Our phone number: ____" in flat(" ".join(pdf_text(tmp_path / "p.pdf")))


def every_handout_id(store) -> list[str]:
    return [c.id for c in store.list_conditions()] + [h.id for h in store.handouts()]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_default_handout_fits_on_two_pages(bundled, tmp_path, paper):
    too_long = {}
    for handout_id in every_handout_id(bundled):
        pages = export(bundled, handout_id, tmp_path / f"{handout_id}.pdf", HandoutOptions(paper))
        if sum(pages) > 2:
            too_long[handout_id] = pages
    assert too_long == {}


def test_every_handout_reads_at_grade_six_or_lower_as_printed(bundled, tmp_path):
    grades = {}
    for handout_id in every_handout_id(bundled):
        path = tmp_path / f"{handout_id}.pdf"
        export(bundled, handout_id, path)
        grades[handout_id] = textstat.flesch_kincaid_grade("\n".join(pdf_text(path)))
    assert max(grades.values()) <= MAX_HANDOUT_GRADE, grades


def test_paper_sizes(bundled, tmp_path):
    sizes = {}
    for paper in ("a4", "letter"):
        export(bundled, "fibromyalgia", tmp_path / f"{paper}.pdf", HandoutOptions(paper=paper))
        box = PdfReader(tmp_path / f"{paper}.pdf").pages[0].mediabox
        sizes[paper] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"a4": (595, 842), "letter": (612, 792)}


@pytest.mark.parametrize(
    ("locale", "paper"), [("en_US", "letter"), ("en_GB", "a4"), ("de_DE", "a4")]
)
def test_default_paper_follows_the_locale(locale, paper):
    assert handout_layout.default_paper(QLocale(locale)) == paper


def words_per_line(path: Path) -> float:
    lines = [line for text in pdf_text(path) for line in text.splitlines() if line.strip()]
    return sum(len(line.split()) for line in lines) / len(lines)


def test_large_print_is_larger(bundled, tmp_path):
    normal, large = tmp_path / "normal.pdf", tmp_path / "large.pdf"
    normal_pages = export(bundled, "fibromyalgia", normal)
    large_pages = export(bundled, "fibromyalgia", large, HandoutOptions(large_print=True))
    assert sum(large_pages) > sum(normal_pages)
    assert words_per_line(large) < words_per_line(normal) * 0.8


def test_references_are_included_only_when_asked(bundled, tmp_path):
    export(bundled, "fibromyalgia", tmp_path / "plain.pdf")
    export(bundled, "fibromyalgia", tmp_path / "refs.pdf", HandoutOptions(references=True))
    assert "Where this information comes from" not in " ".join(pdf_text(tmp_path / "plain.pdf"))
    with_refs = flat(" ".join(pdf_text(tmp_path / "refs.pdf")))
    assert "Where this information comes from" in with_refs
    assert "Graven-Nielsen" in with_refs


def test_the_treatment_day_handout_follows_with_its_own_page_numbers(bundled, tmp_path):
    path = tmp_path / "both.pdf"
    pages = export(bundled, "opioid-use-disorder", path, with_treatment_day=True)
    assert len(pages) == 2
    texts = [flat(t) for t in pdf_text(path)]
    start = pages[0]
    assert "Opioid use disorder: ketamine treatment" in texts[0]
    assert "Your ketamine treatment day" in texts[start]
    assert f"Page 1 of {pages[1]}" in texts[start]


def test_a_bad_id_is_a_clear_error(bundled):
    with pytest.raises(NotFoundError, match="no condition or general handout has the id 'nope'"):
        handouts.print_run(bundled, "nope")


def test_an_unwritable_path_is_a_clear_error_and_writes_nothing(bundled, tmp_path):
    with pytest.raises(WriteError, match=r"the folder .* does not exist"):
        export(bundled, "panic-disorder", tmp_path / "missing" / "x.pdf")
    assert not (tmp_path / "missing").exists()


def test_a_full_disk_leaves_no_half_written_file(bundled, tmp_path, monkeypatch):
    target = tmp_path / "handout.pdf"
    target.write_bytes(b"the earlier file")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteError, match="the disk is full"):
        export(bundled, "panic-disorder", target)
    assert target.read_bytes() == b"the earlier file", "the old file is untouched"
    assert [p.name for p in tmp_path.iterdir()] == ["handout.pdf"], "no temporary file left"


def test_file_names_carry_the_condition_and_the_date():
    name = handouts.file_name("bipolar-depression", PRINTED)
    assert name == "bipolar-depression-handout-2026-11-21.pdf"

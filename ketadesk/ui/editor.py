"""The entry editor: every field of the content format, Markdown sections with a live preview
rendered exactly as the detail pane renders them, citations picked from the catalogue or added,
side-effect links, and the handout's reading grade shown as you type.

The dialog only gathers a draft and shows problems; checking uses the same rules as
`ketadesk db check` (a function it is given) and saving is the window's job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .. import entries, markup, render
from ..readability import MAX_HANDOUT_GRADE, reading_grade
from ..records import (
    GRADES,
    HANDOUT_SECTION,
    REFERENCE_KINDS,
    SECTION_TITLES,
    TIME_UNITS,
    Condition,
    OnsetProfile,
    Problem,
    Reference,
    Section,
    SideEffect,
    SideEffectLink,
    TimeRange,
)

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEPARATOR = ";"
"""Lists (abbreviations, synonyms, keywords) are typed separated by semicolons: some names
contain commas."""


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(SEPARATOR) if part.strip())


class _RangeEditor(QWidget):
    def __init__(self, value: TimeRange, name: str):
        super().__init__()
        self.low = QDoubleSpinBox(maximum=10_000, decimals=2)
        self.high = QDoubleSpinBox(maximum=10_000, decimals=2)
        self.unit = QComboBox()
        self.unit.addItems(TIME_UNITS)
        self.low.setValue(value.min)
        self.high.setValue(value.max)
        self.unit.setCurrentText(value.unit)
        for widget, part in ((self.low, "from"), (self.high, "to"), (self.unit, "unit")):
            widget.setAccessibleName(f"{name} {part}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.low)
        layout.addWidget(QLabel("to"))
        layout.addWidget(self.high)
        layout.addWidget(self.unit)

    def value(self) -> TimeRange:
        return TimeRange(self.low.value(), self.high.value(), self.unit.currentText())


class EntryEditor(QDialog):
    def __init__(
        self,
        condition: Condition | None,
        *,
        template: Condition,
        categories: Sequence[str],
        side_effects: Sequence[SideEffect],
        references: Sequence[Reference],
        check: Callable[[Condition, list[Reference]], list[Problem]],
        parent: QWidget | None = None,
    ):
        """`condition` is the entry to edit, or None for a new one (started from `template`'s
        structure, with its text cleared)."""
        super().__init__(parent)
        self.is_new = condition is None
        start = condition or _blank(template)
        self.setWindowTitle("New entry" if self.is_new else f"Edit: {start.name}")
        self._check = check
        self._effects = list(side_effects)
        self._references = {r.id: r for r in references}
        self.new_references: list[Reference] = []
        self.result_condition: Condition | None = None

        # details
        self.id_edit = QLineEdit(start.id, objectName="entry-id", enabled=self.is_new)
        self.name = QLineEdit(start.name, objectName="entry-name")
        self.category = QComboBox(objectName="entry-category")
        self.category.addItems(list(categories))
        self.category.setCurrentText(start.category)
        self.abbreviations = QLineEdit(f"{SEPARATOR} ".join(start.abbreviations))
        self.synonyms = QLineEdit(f"{SEPARATOR} ".join(start.synonyms))
        self.keywords = QLineEdit(f"{SEPARATOR} ".join(start.keywords))
        self.grade = QComboBox(objectName="entry-grade")
        self.grade.addItems(GRADES)
        self.grade.setCurrentText(start.grade)
        self.grade_basis = QPlainTextEdit(start.grade_basis, objectName="entry-grade-basis")
        self.regulatory = QPlainTextEdit(start.regulatory_summary, objectName="entry-regulatory")
        onset = start.onset or _blank(template).onset
        assert onset is not None
        self.onset = _RangeEditor(onset.onset, "Onset")
        self.duration = _RangeEditor(onset.duration, "Duration")
        self.usual_treatment = QLineEdit(onset.usual_treatment)
        self.usual_onset = _RangeEditor(onset.usual_onset, "Usual treatment onset")
        for widget in (self.grade_basis, self.regulatory):
            widget.setMaximumHeight(80)
        details = QWidget()
        form = QFormLayout(details)
        for label, widget, name in (
            ("&Id", self.id_edit, "Entry id"),
            ("&Name", self.name, "Name"),
            ("Ca&tegory", self.category, "Category"),
            ("&Abbreviations (; between)", self.abbreviations, "Abbreviations"),
            ("&Synonyms (; between)", self.synonyms, "Synonyms"),
            ("&Keywords (; between)", self.keywords, "Keywords"),
            ("&Grade (GRADE)", self.grade, "Evidence grade"),
            ("Grade &basis", self.grade_basis, "Basis for the grade"),
            ("&Regulatory status (one line)", self.regulatory, "Regulatory summary"),
            ("Onset of benefit", self.onset, None),
            ("Duration of one treatment", self.duration, None),
            ("&Usual treatment", self.usual_treatment, "Usual treatment"),
            ("Usual treatment's onset", self.usual_onset, None),
        ):
            if name:
                widget.setAccessibleName(name)
            form.addRow(label, widget)

        self.tabs = QTabWidget(objectName="entry-tabs")
        self.tabs.addTab(details, "Details")
        self.section_edits: dict[str, QPlainTextEdit] = {}
        present = {s.title: s.markdown for s in start.sections}
        for title in SECTION_TITLES:
            edit = QPlainTextEdit(present.get(title, ""), objectName=f"section-{title}")
            edit.setAccessibleName(f"Section: {title}")
            self.section_edits[title] = edit
            self.tabs.addTab(edit, title)
        self.tabs.addTab(self._side_effect_table(start), "Side effects")
        self.tabs.addTab(self._reference_panel(), "References")

        self.preview = QTextBrowser(objectName="entry-preview")
        self.preview.setAccessibleName("Preview")
        self.preview.setOpenLinks(False)
        self.handout_grade = QLabel(objectName="handout-grade")
        self.problems = QListWidget(objectName="entry-problems")
        self.problems.setAccessibleName("Problems to fix before saving")
        self.problems.setMaximumHeight(110)
        self.problems.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("Preview (as the detail pane shows it):"))
        right_layout.addWidget(self.preview, 1)
        right_layout.addWidget(self.handout_grade)
        splitter = QSplitter()
        splitter.addWidget(self.tabs)
        splitter.addWidget(right)
        splitter.setSizes([620, 520])
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.resize(1200, 780)

        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.update_preview)
        for edit in (
            self.name,
            self.abbreviations,
            self.synonyms,
            self.keywords,
            self.usual_treatment,
        ):
            edit.textChanged.connect(self._timer.start)
        for plain in (self.grade_basis, self.regulatory, *self.section_edits.values()):
            plain.textChanged.connect(self._timer.start)
        self.update_preview()

    # --- parts ----------------------------------------------------------------------------

    def _side_effect_table(self, start: Condition) -> QTableWidget:
        links = {link.side_effect.id: link for link in start.side_effects}
        table = QTableWidget(len(self._effects), 3, objectName="entry-side-effects")
        table.setAccessibleName("Side-effect links")
        table.setHorizontalHeaderLabels(["Linked side effect", "Key", "Note (Markdown)"])
        for row, effect in enumerate(self._effects):
            linked = QTableWidgetItem(effect.name)
            linked.setData(ID_ROLE, effect.id)
            linked.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            checked = effect.id in links
            linked.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            key = QTableWidgetItem("")
            key.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            is_key = bool(links.get(effect.id) and links[effect.id].key)
            key.setCheckState(Qt.CheckState.Checked if is_key else Qt.CheckState.Unchecked)
            note = QTableWidgetItem(links[effect.id].note if effect.id in links else "")
            table.setItem(row, 0, linked)
            table.setItem(row, 1, key)
            table.setItem(row, 2, note)
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnToContents(0)
        table.itemChanged.connect(self._timer_start)
        self.side_effect_table = table
        return table

    def _timer_start(self, *_: object) -> None:
        if hasattr(self, "_timer"):
            self._timer.start()

    def _reference_panel(self) -> QWidget:
        panel = QWidget()
        self.reference_list = QListWidget(objectName="entry-references")
        self.reference_list.setAccessibleName("Reference catalogue")
        for ref in sorted(self._references.values(), key=lambda r: r.id):
            self._add_reference_item(ref)
        insert = QPushButton("&Insert citation in the current section")
        insert.clicked.connect(self.insert_citation)
        add = QPushButton("A&dd a reference…")
        add.clicked.connect(self.add_reference)
        layout = QVBoxLayout(panel)
        layout.addWidget(
            QLabel("Cite with [@id] in any section; pick one and insert it:", wordWrap=True)
        )
        layout.addWidget(self.reference_list, 1)
        row = QHBoxLayout()
        row.addWidget(insert)
        row.addWidget(add)
        layout.addLayout(row)
        self._last_section = SECTION_TITLES[0]
        return panel

    def _add_reference_item(self, ref: Reference) -> None:
        item = QListWidgetItem(f"{ref.id} — {ref.authors} {ref.year}. {ref.title}")
        item.setData(ID_ROLE, ref.id)
        self.reference_list.addItem(item)

    @Slot()
    def insert_citation(self) -> None:
        item = self.reference_list.currentItem()
        if item is None:
            return
        title = self._current_section_title()
        edit = self.section_edits[title]
        edit.textCursor().insertText(f" [@{item.data(ID_ROLE)}]")
        self.tabs.setCurrentWidget(edit)

    def _current_section_title(self) -> str:
        widget = self.tabs.currentWidget()
        for title, edit in self.section_edits.items():
            if edit is widget:
                self._last_section = title
        return self._last_section

    def add_new_reference(self, ref: Reference) -> None:
        """Add a reference made in this dialog; it is saved with the entry."""
        self.new_references = [r for r in self.new_references if r.id != ref.id] + [ref]
        self._references[ref.id] = ref
        self._add_reference_item(ref)
        self.reference_list.setCurrentRow(self.reference_list.count() - 1)

    @Slot()
    def add_reference(self) -> None:
        dialog = ReferenceDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.reference is not None:
            self.add_new_reference(dialog.reference)

    # --- the draft --------------------------------------------------------------------------

    def draft(self) -> Condition:
        links = []
        for row in range(self.side_effect_table.rowCount()):
            linked = self.side_effect_table.item(row, 0)
            if linked.checkState() != Qt.CheckState.Checked:
                continue
            effect = next(e for e in self._effects if e.id == linked.data(ID_ROLE))
            key = self.side_effect_table.item(row, 1).checkState() == Qt.CheckState.Checked
            note = self.side_effect_table.item(row, 2).text()
            links.append(SideEffectLink(effect, key, note))
        condition = Condition(
            id=self.id_edit.text().strip(),
            name=self.name.text().strip(),
            category=self.category.currentText(),
            abbreviations=_split(self.abbreviations.text()),
            synonyms=_split(self.synonyms.text()),
            keywords=_split(self.keywords.text()),
            last_reviewed=dt.date.today(),
            grade=self.grade.currentText(),
            grade_basis=self.grade_basis.toPlainText().strip(),
            regulatory_summary=" ".join(self.regulatory.toPlainText().split()),
            onset=OnsetProfile(
                self.onset.value(),
                self.duration.value(),
                self.usual_treatment.text().strip(),
                self.usual_onset.value(),
            ),
            sections=tuple(
                Section(title, edit.toPlainText().strip())
                for title, edit in self.section_edits.items()
                if edit.toPlainText().strip()
            ),
            references=(),
            side_effects=tuple(links),
        )
        return entries.with_cited_references(condition, self._references)

    @Slot()
    def update_preview(self) -> None:
        draft = self.draft()
        scroll = self.preview.verticalScrollBar().value()
        self.preview.setHtml(render.condition_html(draft))
        self.preview.verticalScrollBar().setValue(scroll)
        handout = self.section_edits[HANDOUT_SECTION].toPlainText()
        grade = reading_grade(handout)
        verdict = "fine" if grade <= MAX_HANDOUT_GRADE else "too hard: shorten sentences"
        self.handout_grade.setText(
            f"Patient handout reading grade (Flesch–Kincaid): {grade:g} — {verdict} "
            f"(must be {MAX_HANDOUT_GRADE:g} or lower)"
        )

    @Slot()
    def try_save(self) -> None:
        """Check the draft with the content rules; accept only when nothing is wrong."""
        draft = self.draft()
        problems = self._check(draft, self.new_references)
        self.problems.clear()
        if problems:
            self.problems.addItems([f"{p.field}: {p.message}" for p in problems])
            self.problems.show()
            return
        self.result_condition = draft
        self.accept()


def _blank(template: Condition) -> Condition:
    """A new entry's starting point: the structure of the format, with headings to fill in, and
    the template's emergency section kept whole, so the crisis line the rules require is there."""
    handout = next((s.markdown for s in template.sections if s.title == HANDOUT_SECTION), "")
    headings = "\n\n".join(
        f"### {title}\n\n{body}" if "emergency" in title.lower() else f"### {title}"
        for title, body in markup.handout_sections(handout)
        if title
    )
    sections = tuple(
        Section(title, headings if title == HANDOUT_SECTION else "") for title in SECTION_TITLES
    )
    return dataclasses.replace(
        template,
        id="",
        name="",
        abbreviations=(),
        synonyms=(),
        keywords=(),
        grade_basis="",
        regulatory_summary="",
        sections=sections,
        references=(),
        side_effects=(),
    )


class ReferenceDialog(QDialog):
    """Add a reference to the catalogue: every field of the format; unconfirmed is honest."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a reference")
        self.reference: Reference | None = None
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label in (
            ("id", "Id (surname-year)"),
            ("authors", "Authors"),
            ("year", "Year"),
            ("title", "Title"),
            ("source", "Journal or issuer"),
            ("details", "Volume(issue):pages"),
            ("design", "Design"),
            ("participants", "Participants"),
            ("doi", "DOI"),
            ("pmid", "PMID"),
            ("verification_note", "What could not be confirmed"),
        ):
            edit = QLineEdit(objectName=f"ref-{key}")
            edit.setAccessibleName(label)
            self.fields[key] = edit
            form.addRow(label, edit)
        self.kind = QComboBox(objectName="ref-kind")
        self.kind.addItems(REFERENCE_KINDS)
        self.kind.setAccessibleName("Kind")
        self.verified = QCheckBox("All details checked against the source", objectName="ref-ok")
        form.insertRow(1, "Kind", self.kind)
        form.addRow("", self.verified)
        self.error = QLabel(wordWrap=True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    @Slot()
    def try_accept(self) -> None:
        data: dict[str, object] = {k: e.text().strip() for k, e in self.fields.items()}
        data["kind"] = self.kind.currentText()
        data["verified"] = self.verified.isChecked()
        for key in ("year", "participants"):
            text = str(data[key])
            data[key] = int(text) if text.isdigit() else (None if key == "participants" else text)
        try:
            self.reference = entries.reference_from_data(data)
        except entries.EntryError as exc:
            self.error.setText("; ".join(exc.problems))
            return
        self.accept()

"""Small dialogs: handout preferences, and choosing several conditions for a batch."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .window_state import HandoutPreferences

PAPER_CHOICES = (("", "From my locale"), ("a4", "A4"), ("letter", "Letter"))


class PreferencesDialog(QDialog):
    def __init__(self, current: HandoutPreferences, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.clinic = QLineEdit(current.clinic, objectName="clinic")
        self.clinic.setAccessibleName("Clinic name")
        self.clinic.setPlaceholderText("printed at the top of every handout")
        self.phone = QLineEdit(current.phone, objectName="phone")
        self.phone.setAccessibleName("Clinic phone number")
        self.paper = QComboBox(objectName="paper")
        self.paper.setAccessibleName("Paper size")
        for value, label in PAPER_CHOICES:
            self.paper.addItem(label, value)
        self.paper.setCurrentIndex(max(0, self.paper.findData(current.paper)))
        self.large_print = QCheckBox("Large print (18 pt)", objectName="large-print")
        self.large_print.setChecked(current.large_print)
        self.references = QCheckBox("List the sources at the end", objectName="references")
        self.references.setChecked(current.references)
        self.treatment_day = QCheckBox(
            "Add the treatment-day handout after a condition's", objectName="treatment-day"
        )
        self.treatment_day.setChecked(current.treatment_day)
        self.editor = QLineEdit(current.editor, objectName="editor-name")
        self.editor.setAccessibleName("Your name, for the edit history")
        form = QFormLayout()
        form.addRow("&Clinic name:", self.clinic)
        form.addRow("&Phone:", self.phone)
        form.addRow("P&aper:", self.paper)
        form.addRow("", self.large_print)
        form.addRow("", self.references)
        form.addRow("", self.treatment_day)
        form.addRow("Your &name (edit history):", self.editor)
        note = QLabel(
            "These are printed on handouts and kept in ketadesk's settings. Never enter anything "
            "about a patient here.",
            wordWrap=True,
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def value(self) -> HandoutPreferences:
        return HandoutPreferences(
            clinic=self.clinic.text().strip(),
            phone=self.phone.text().strip(),
            paper=self.paper.currentData() or "",
            large_print=self.large_print.isChecked(),
            references=self.references.isChecked(),
            treatment_day=self.treatment_day.isChecked(),
            editor=self.editor.text().strip(),
        )


class ChooseConditionsDialog(QDialog):
    """Tick the conditions for a batch of handouts."""

    def __init__(
        self,
        choices: Sequence[tuple[str, str]],
        *,
        preselected: Sequence[str] = (),
        parent: QWidget | None = None,
    ):
        """`choices` are (id, label) pairs: general handouts and conditions."""
        super().__init__(parent)
        self.setWindowTitle("Choose handouts")
        self.list = QListWidget(objectName="choose-conditions")
        self.list.setAccessibleName("Conditions to include")
        for choice_id, label in choices:
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, choice_id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            checked = choice_id in preselected
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        all_button = QPushButton("Select &all")
        none_button = QPushButton("Select &none")
        all_button.clicked.connect(lambda: self._set_all(True))
        none_button.clicked.connect(lambda: self._set_all(False))
        row = QHBoxLayout()
        row.addWidget(all_button)
        row.addWidget(none_button)
        row.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Handouts to print or export:"))
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(460, 520)

    def _set_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(state)

    def chosen(self) -> list[str]:
        return [
            self.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

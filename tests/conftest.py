"""Shared fixtures: offscreen Qt, a temporary data folder for every test, small content trees."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

# Offscreen unless a test run asks for a real platform (tests/test_xcb.py runs the main flows on
# xcb under Xvfb that way); set before Qt is imported anywhere.
os.environ["QT_QPA_PLATFORM"] = os.environ.get("KETADESK_TEST_PLATFORM", "offscreen")

import pytest

from ketadesk import paths

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _one_qapplication(qapp):
    """One QApplication for the whole run, made first: code that only needs text layout (the
    PDF handouts) would otherwise make a bare QGuiApplication, and widgets cannot live in one."""
    return qapp


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own empty data folder; none ever touches the real user folder."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    return folder


META = """\
content_version = "9.9.9"
content_date = 2026-01-31
categories = ["Mood", "Trauma and anxiety", "Substance use", "Pain"]
"""

REFERENCES = """\
[[reference]]
id = "ref-a"
kind = "study"
authors = "Able A, Baker B"
year = 2020
title = "A randomised trial of something"
source = "Journal of Tests"
details = "1(2):3-4"
design = "Randomised controlled trial"
participants = 40
doi = "10.0000/test.1"
verified = true

[[reference]]
id = "ref-b"
kind = "label"
authors = "Agency"
year = 2021
title = "A product label"
source = "Regulator"
design = "Prescribing information"
verified = false
verification_note = "Revision date not confirmed."
"""

SIDE_EFFECTS = """\
[[side_effect]]
id = "dissociation"
name = "Dissociation"
plain_name = "Feeling detached"
timing = "during"
watch_for = "Detachment [@ref-a]."
frequency = "Common [@ref-a]."
action = "Reassure."

[[side_effect]]
id = "misuse-dependence"
name = "Misuse and dependence"
plain_name = "Wanting to use it outside treatment"
timing = "repeated-use"
watch_for = "Requests for more."
frequency = "Not well established [@ref-b]."
action = "Screen and monitor."
"""

BODY = """\
## Summary

{name} summary sentence [@ref-a]. {extra}

## Safety

- Check blood pressure [@ref-b].
- Screen for psychosis.
- No driving until the next day.

## Mechanism

### Established

NMDA receptor antagonism [@ref-a].

### Hypothesised

Synaptogenesis via BDNF.

## Onset and duration

Hours rather than weeks [@ref-a].

## Evidence

One trial [@ref-a].

## Regulatory status

Off-label [@ref-b].

## Routes and studied regimens

Intravenous infusion as studied [@ref-a].

## Considerations

Pregnancy: avoid [@ref-b]. See also [PTSD](condition:post-traumatic-stress-disorder) and the
[product label](https://example.org/label).

## What is not known yet

Durability.

## Patient handout

### What this treatment is for

It is for {name}. It is not approved for this. It does not help everyone.

### How it is given

A nurse gives it by a drip in your arm.

### What to expect and when

You may feel better in a day.

### Possible side effects

- You may feel far away from your body.

### Before and after your session

- Do not drive until the next day.

### When to call us

- Your mood gets worse.

### When to get emergency help

- You have thoughts of ending your life. Call or text 988.
"""

HARD = (
    "Administration of intravenous racemic ketamine necessitates comprehensive haemodynamic m"
    "onitoring, anaesthetic expertise, and individualised consideration of contraindications."
)
"""A sentence far above a sixth-grade reading level."""


TREATMENT_DAY = """\
+++
id = "treatment-day"
title = "Your treatment day"
last_reviewed = 2026-01-20
based_on = ["ref-b"]
+++

### Before the day

Ask a friend to take you home.

### After the session

Do not drive until the next day.

### When to get emergency help

Call 911, or call or text 988.
"""


def condition_text(
    cid: str,
    name: str,
    *,
    category: str = "Mood",
    abbreviations: tuple[str, ...] = (),
    synonyms: tuple[str, ...] = (),
    extra: str = "",
    grade: str = "low",
) -> str:
    abbr = ", ".join(f'"{a}"' for a in abbreviations)
    syn = ", ".join(f'"{s}"' for s in synonyms)
    front = textwrap.dedent(f"""\
        +++
        id = "{cid}"
        name = "{name}"
        category = "{category}"
        abbreviations = [{abbr}]
        synonyms = [{syn}]
        last_reviewed = 2026-01-15
        grade = "{grade}"
        grade_basis = "Small trials."
        regulatory_summary = "Off-label."

        [onset]
        onset = {{ min = 2, max = 24, unit = "hours" }}
        duration = {{ min = 3, max = 14, unit = "days" }}
        usual_treatment = "Oral antidepressants"
        usual_onset = {{ min = 2, max = 6, unit = "weeks" }}

        [[side_effects]]
        id = "dissociation"
        key = true
        note = "Matters here [@ref-a]."
        +++
        """)
    return front + BODY.format(name=name, extra=extra)


FIXTURE_CONDITIONS = {
    "major-depressive-disorder": dict(
        name="Major depressive disorder",
        abbreviations=("MDD",),
        synonyms=("depression", "unipolar depression"),
    ),
    "treatment-resistant-depression": dict(
        name="Treatment-resistant depression", abbreviations=("TRD",), grade="moderate"
    ),
    "post-traumatic-stress-disorder": dict(
        name="Post-traumatic stress disorder",
        category="Trauma and anxiety",
        abbreviations=("PTSD",),
        synonyms=("post-traumatic stress",),
    ),
    "generalised-anxiety-disorder": dict(
        name="Generalised anxiety disorder",
        category="Trauma and anxiety",
        abbreviations=("GAD",),
        synonyms=("generalized anxiety disorder",),
    ),
    "obsessive-compulsive-disorder": dict(
        name="Obsessive-compulsive disorder", category="Trauma and anxiety", abbreviations=("OCD",)
    ),
    "substance-use-disorders": dict(
        name="Substance use disorders",
        category="Substance use",
        abbreviations=("SUD",),
        synonyms=("addiction",),
    ),
    "complex-regional-pain-syndrome": dict(
        name="Complex regional pain syndrome",
        category="Pain",
        abbreviations=("CRPS",),
        extra="Allodynia responds to infusions.",
    ),
}


def write_content(root: Path, conditions: dict[str, dict] | None = None) -> Path:
    """A small, valid content tree under root/content; returns that folder."""
    content = root / "content"
    (content / "references").mkdir(parents=True)
    (content / "conditions").mkdir()
    (content / "meta.toml").write_text(META, encoding="utf-8")
    (content / "references" / "test.toml").write_text(REFERENCES, encoding="utf-8")
    (content / "side_effects.toml").write_text(SIDE_EFFECTS, encoding="utf-8")
    (content / "handouts").mkdir()
    (content / "handouts" / "treatment-day.md").write_text(TREATMENT_DAY, encoding="utf-8")
    for cid, spec in (conditions or FIXTURE_CONDITIONS).items():
        (content / "conditions" / f"{cid}.md").write_text(
            condition_text(cid, **spec), encoding="utf-8"
        )
    return content


@pytest.fixture
def content_dir(tmp_path) -> Path:
    return write_content(tmp_path)


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    """A database built from the fixture content (seven conditions with the common
    abbreviations), shared read-only by the tests that only read it."""
    from ketadesk.build import build

    root = tmp_path_factory.mktemp("fixture")
    db = root / "fixture.db"
    build(write_content(root), db)
    return db


@pytest.fixture
def fixture_store(fixture_db):
    from ketadesk.store import Store

    with Store.open(fixture_db, read_only=True) as s:
        yield s


@pytest.fixture
def bundled(fixture_db, tmp_path) -> Path:
    """A private copy of the fixture database standing in for the bundled one."""
    target = tmp_path / "bundle" / "ketadesk.db"
    target.parent.mkdir()
    shutil.copyfile(fixture_db, target)
    return target


@pytest.fixture
def bundle(bundled, monkeypatch) -> Path:
    """The same copy, made the app's bundled database (for the CLI and the window)."""
    monkeypatch.setattr(paths, "bundled_db", lambda: bundled)
    return bundled


@pytest.fixture
def working(bundled, data_dir):
    """The user's working copy of the fixture content, open for writing."""
    from ketadesk.workingcopy import open_working

    store, _ = open_working(bundled, data_dir)
    with store:
        yield store


DIALOG_VERBS = (
    "show_message",
    "print_html",
    "ask_preferences",
    "ask_conditions",
    "ask_save_path",
    "ask_folder",
    "ask_open_path",
    "ask_choice",
    "confirm",
    "run_preview",
    "run_print",
    "run_dialog",
)
"""Every method through which the window opens a dialog."""


def forbid_modal_dialogs(monkeypatch) -> None:
    """A modal dialog would wait forever offscreen: any the test did not replace fails it."""
    from ketadesk.ui.main_window import MainWindow

    for verb in DIALOG_VERBS:

        def unexpected(self, *args, _verb=verb):
            pytest.fail(f"unexpected dialog {_verb}{args!r}")

        monkeypatch.setattr(MainWindow, verb, unexpected)

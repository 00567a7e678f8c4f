"""The alcohol use disorder entry screens for alcohol withdrawal before any infusion."""

from __future__ import annotations

from ketadesk import content, paths


def _entry():
    bundle = content.load(paths.content_dir())
    return next(c for c in bundle.conditions if c.id == "alcohol-use-disorder")


def _section(entry, title):
    return next(s for s in entry.sections if s.title == title).markdown


def test_safety_box_asks_for_a_withdrawal_risk_assessment_with_the_asam_guideline():
    safety = _section(_entry(), "Safety")
    assert "CIWA-Ar" in safety
    assert "medically managed withdrawal" in safety
    assert "asam-alcohol-withdrawal-2020" in safety


def test_handout_warns_against_stopping_drinking_suddenly_and_asks_about_past_fits():
    handout = _section(_entry(), "Patient handout")
    assert "Do not stop drinking suddenly without talking to us." in handout
    assert "fits, or DTs" in handout
    assert "at least one day before" not in handout


def test_crps_handout_driving_advice_matches_the_label_24_hours():
    bundle = content.load(paths.content_dir())
    crps = next(c for c in bundle.conditions if c.id == "complex-regional-pain-syndrome")
    handout = _section(crps, "Patient handout")
    assert "at least one full day (24 hours)" in handout
    assert "until the next day, after a night's sleep" not in handout

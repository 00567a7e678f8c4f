"""Packaging: the PyInstaller bundle from build_app.spec starts and passes its self-test; the
wheel carries the database and content and runs from an install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

EXE = "ketadesk.exe" if sys.platform == "win32" else "ketadesk"


def run_self_test(executable: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*executable, "--self-test"],
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "KETADESK_DATA_DIR": str(data_dir),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        cwd=data_dir.parent,
    )


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    """dist/ketadesk built from build_app.spec, exactly as `make bundle` builds it."""
    root = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(REPO / "build_app.spec"),
            "--noconfirm",
            "--distpath",
            str(root / "dist"),
            "--workpath",
            str(root / "build"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "dist" / "ketadesk"


def internal(bundle: Path) -> Path:
    return bundle / "_internal" if (bundle / "_internal").is_dir() else bundle


def test_the_bundle_passes_its_self_test_and_leaves_the_data_folder_alone(bundle, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    result = run_self_test([str(bundle / EXE)], data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    assert f"{internal(bundle) / 'ketadesk' / 'resources' / 'ketadesk.db'}" in result.stdout
    assert list(data.iterdir()) == [], "the self-test writes nothing to the data folder"


def test_the_bundle_carries_what_it_needs_and_not_what_it_does_not(bundle):
    inside = internal(bundle)
    resources = inside / "ketadesk" / "resources"
    assert (resources / "ketadesk.db").is_file()
    assert len(list((resources / "content" / "conditions").glob("*.md"))) == 17
    assert (resources / "icons" / "ketadesk.svg").is_file()
    assert (inside / "LICENSE").is_file() and (inside / "THIRD-PARTY-LICENSES.md").is_file()
    names = {p.name for p in inside.rglob("*")}
    plugins = {
        p.parent.name + "/" + p.stem.removeprefix("lib") for p in inside.rglob("plugins/*/*")
    }
    assert "imageformats/qsvg" in plugins and "iconengines/qsvgicon" in plugins
    assert any(p.startswith("printsupport/") for p in plugins)
    assert "platforms/qoffscreen" in plugins
    assert not any(p.startswith(("sqldrivers/", "qmltooling/", "tls/")) for p in plugins)
    assert not any(n.startswith(("QtNetwork.", "QtQml.", "QtQuick.", "QtSql.")) for n in names)
    assert not list(inside.rglob("translations/*.qm")), "no Qt translations"
    assert not any(n.startswith("hyph_de") for n in names), "English hyphenation only"
    assert "sqlite_utils" not in names


@pytest.mark.parametrize(
    ("remove", "failure"),
    [
        ("ketadesk/resources/ketadesk.db", "FAIL  database"),
        ("PySide6/Qt/plugins/imageformats", "FAIL  qt: image format plugins missing: svg"),
    ],
)
def test_the_self_test_fails_when_the_bundle_lacks_the_database_or_a_plugin(
    bundle, tmp_path, remove, failure
):
    target = internal(bundle) / remove
    if not target.exists():
        pytest.skip(f"{remove} is laid out differently on this platform")
    aside = tmp_path / "aside"
    shutil.move(target, aside)
    try:
        data = tmp_path / "data"
        data.mkdir()
        result = run_self_test([str(bundle / EXE)], data)
    finally:
        shutil.move(aside, target)
    assert result.returncode == 1
    assert failure in result.stdout and "self-test FAILED" in result.stdout


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return next(out.glob("*.whl"))


def test_the_wheel_and_sdist_carry_the_database_and_content(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "ketadesk/resources/ketadesk.db" in names
    assert sum(n.startswith("ketadesk/resources/content/conditions/") for n in names) == 17
    assert "ketadesk/resources/content/handouts/treatment-day.md" in names
    assert "ketadesk/resources/icons/ketadesk.svg" in names
    sdist = next(wheel.parent.glob("*.tar.gz"))
    assert sdist.stat().st_size > 100_000


def test_the_installed_wheel_runs(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    data = tmp_path / "data"
    data.mkdir()
    result = run_self_test([sys.executable, "-m", "ketadesk"], data, PYTHONPATH=str(target))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{target / 'ketadesk' / 'resources' / 'ketadesk.db'}" in result.stdout

"""The real platform: the app and its main flows on Qt's xcb plugin under Xvfb.

Offscreen hides what a clinician's desktop shows at once: a missing system library makes Qt
abort before the window appears. CI installs Xvfb and the libraries (.ci/run); there a missing
one fails the run. On a developer's machine without Xvfb these tests are skipped, with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ketadesk import platform_check

ROOT = Path(__file__).resolve().parents[1]
IN_CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="module")
def display():
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        if IN_CI:
            pytest.fail("Xvfb is not installed: .ci/run should have installed it")
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=30)


def _env(display: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, KETADESK_DATA_DIR=str(tmp_path / "data"))
    return env


def test_the_xcb_plugin_finds_every_library_it_needs():
    if platform_check.xcb_plugin() is None:
        pytest.skip("this PySide6 has no xcb plugin")
    missing = platform_check.missing_libraries()
    assert missing == [], platform_check.missing_message(missing)


def test_a_missing_library_is_named_with_the_package_that_brings_it():
    message = platform_check.missing_message(["libxcb-icccm.so.4", "libxkbcommon-x11.so.0"])
    assert "libxcb-icccm.so.4, libxkbcommon-x11.so.0" in message
    assert "sudo apt-get install libxcb-icccm4 libxkbcommon-x11-0" in message
    assert platform_check.package_of("libEGL.so.1") == "libegl1"


def test_only_an_x11_session_asks_for_the_xcb_check():
    assert platform_check.wants_xcb({"QT_QPA_PLATFORM": "xcb"}) == sys.platform.startswith("linux")
    assert not platform_check.wants_xcb({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"})
    assert not platform_check.wants_xcb({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"})


def test_the_app_starts_and_paints_on_xcb(display, tmp_path):
    env = _env(display, tmp_path) | {"KETADESK_EXIT_AFTER_FIRST_PAINT": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "ketadesk"], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]


def test_self_test_checks_the_real_platform_plugin(display, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "ketadesk", "--self-test"],
        env=_env(display, tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "ok    display: the X11 platform plugin (xcb) finds every library" in run.stdout
    assert run.returncode == 0, run.stdout[-2000:]


def test_the_main_window_flows_pass_on_xcb(display, tmp_path):
    """Search, Enter, opening entries, the checklist, handouts: tests/test_window.py again, with
    real X11 windows."""
    env = _env(display, tmp_path) | {"KETADESK_TEST_PLATFORM": "xcb"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_window.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]

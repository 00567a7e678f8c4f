"""Can Qt's window-system plugin load here? Qt-free, so it runs before any QApplication.

On Linux, Qt's xcb plugin needs a dozen system libraries. When one is missing Qt aborts with a
message that often blames a library that *is* installed ("could not load the Qt platform plugin
xcb … even though it was found"). This module asks the dynamic loader (`ldd`) which of the
plugin's libraries cannot be found, so ketadesk can name them, and the packages that hold them.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

XCB_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 "
    "libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 "
    "libegl1 libgl1 libfontconfig1"
)
"""Debian and Ubuntu packages that hold every library libqxcb.so needs (checked with `ldd` on
PySide6's plugin; README, "The two commands", names the same set)."""

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.M)


def wants_xcb(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """True when Qt is going to use its xcb plugin: on Linux, asked for explicitly, or the
    default on an X11 session (no Wayland display)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def xcb_plugin() -> Path | None:
    """PySide6's libqxcb.so, or None where there is none (not Linux, or a build without it)."""
    try:
        import PySide6
    except ImportError:
        return None
    root = Path(PySide6.__file__).parent
    for candidate in (
        root / "Qt" / "plugins" / "platforms" / "libqxcb.so",
        root / "plugins" / "platforms" / "libqxcb.so",
    ):
        if candidate.is_file():
            return candidate
    return None


def missing_libraries(plugin: Path | None = None) -> list[str]:
    """The shared libraries the plugin needs that the loader cannot find (sonames, sorted).

    Empty when all are found, or when it cannot be told (no plugin, no `ldd`). The plugin is
    first loaded as Qt is about to load it (about 3 ms, and Qt then reuses what was loaded);
    only when that fails is `ldd` asked for the whole list (17-130 ms, too slow for every
    start)."""
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return []
    try:
        ctypes.CDLL(str(plugin), mode=ctypes.RTLD_LOCAL)
    except OSError:
        pass  # something is missing: find out exactly what
    else:
        return []
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        out = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(set(_NOT_FOUND.findall(out)))


def package_of(soname: str) -> str:
    """The Debian package name that usually holds a library: libxcb-icccm.so.4 -> libxcb-icccm4,
    libxkbcommon-x11.so.0 -> libxkbcommon-x11-0, libEGL.so.1 -> libegl1."""
    name, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    name = name.lower()
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


def missing_message(missing: list[str]) -> str:
    """One message for a person: what is missing, and the command that brings it."""
    packages = " ".join(dict.fromkeys(package_of(m) for m in missing))
    return (
        "ketadesk cannot open its window: Qt's X11 plugin (xcb) needs libraries that are not "
        f"installed: {', '.join(missing)}. On Debian or Ubuntu install them with: "
        f"sudo apt-get install {packages}  (the full set ketadesk needs: {XCB_PACKAGES})."
    )

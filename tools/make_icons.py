"""Render the application icon (resources/icons/ketadesk.svg) to the formats each platform's
bundle needs: PNG (Linux, and the window icon), ICO (Windows), ICNS (macOS).

    python tools/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication, QIcon, QImageWriter

    QGuiApplication([])
    icon = QIcon(str(ICONS / "ketadesk.svg"))
    image = icon.pixmap(QSize(256, 256)).toImage()
    for suffix in ("png", "ico", "icns"):
        writer = QImageWriter(str(ICONS / f"ketadesk.{suffix}"), suffix.encode())
        if not writer.write(image):
            print(f"could not write {suffix}: {writer.errorString()}", file=sys.stderr)
            return 1
    print(f"wrote ketadesk.png, .ico and .icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

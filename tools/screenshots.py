"""Re-create the README's screenshots of the window from the bundled content.

    python tools/screenshots.py            (writes docs/screenshots/*.png)

Runs offscreen with a throw-away data folder, so it never touches your own settings or data.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as data:
        os.environ["KETADESK_DATA_DIR"] = data
        from ketadesk import app

        qt = app.application([])
        OUT.mkdir(parents=True, exist_ok=True)
        window = app.create_window()
        window.resize(1400, 860)
        window.show()
        window.search_edit.setText("nasal spray")
        qt.processEvents()
        window.refresh_now()
        qt.processEvents()
        window.grab().save(str(OUT / "search.png"))
        window.search_edit.clear()
        window.refresh_now()
        window.show_condition("treatment-resistant-depression")
        for effect_id in ("dissociation", "blood-pressure-heart-rate", "impaired-driving"):
            window.checklist.set_checked(effect_id)
        qt.processEvents()
        window.grab().save(str(OUT / "entry.png"))
        window.detail.scrollToAnchor("sec-onset-and-duration")
        qt.processEvents()
        window.grab().save(str(OUT / "timeline.png"))
        window.close()
    print(f"wrote {', '.join(p.name for p in sorted(OUT.glob('*.png')))} to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

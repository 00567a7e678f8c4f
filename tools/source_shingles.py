"""Fingerprint the source articles so tests can prove no sentence was copied from them.

The articles that seeded ketadesk's content (kept outside this repository) must never be quoted.
This script hashes every run of seven consecutive words in them and writes only the hashes to
tests/data/source-shingles.txt; tests/test_content.py checks that no seven-word run of the
content has one of those hashes. The articles' text itself never enters the repository.

    python tools/source_shingles.py ../shared/sources/0*.txt
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

RUN = 7
"""Words per run: long enough that a shared run means copied wording, not a shared term."""

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "source-shingles.txt"


def words(text: str) -> list[str]:
    """Lower-case words, punctuation and markup dropped.

    >>> words("Ketamine's *rapid* effect — in hours [@x-1].")
    ['ketamine', 's', 'rapid', 'effect', 'in', 'hours', 'x', '1']
    """
    return re.findall(r"[a-z0-9]+", text.lower())


def runs(text: str) -> Iterator[tuple[str, str]]:
    """Each run of RUN words with its fingerprint."""
    w = words(text)
    for i in range(len(w) - RUN + 1):
        run = " ".join(w[i : i + RUN])
        yield hashlib.blake2b(run.encode(), digest_size=6).hexdigest(), run


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    hashes = sorted({h for p in paths for h, _ in runs(Path(p).read_text(encoding="utf-8"))})
    OUTPUT.write_text("\n".join(hashes) + "\n", encoding="utf-8")
    print(f"wrote {len(hashes)} fingerprints from {len(paths)} file(s) to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

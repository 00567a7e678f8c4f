"""Make a synthetic content database of many conditions, for the benchmarks.

    python tests/benchmarks/synthetic.py OUT.db [--count 10000]

Each synthetic entry is a real bundled entry with a new id and name, its sections reshuffled
and sprinkled with distinct words, so rows have realistic lengths and the search index has
realistic variety (not empty rows, not 10,000 identical ones).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ketadesk import entries, paths  # noqa: E402
from ketadesk.records import Section  # noqa: E402
from ketadesk.store import Store  # noqa: E402

WORDS = [
    "allodynia",
    "anhedonia",
    "craving",
    "dissociation",
    "emergence",
    "glutamate",
    "hyperalgesia",
    "infusion",
    "ketamine",
    "lozenge",
    "midazolam",
    "naltrexone",
    "oral",
    "placebo",
    "quetiapine",
    "relapse",
    "sertraline",
    "tolerance",
    "urinary",
    "venlafaxine",
    "withdrawal",
    "zolpidem",
    "baseline",
    "cohort",
    "dose",
    "endpoint",
    "follow-up",
    "hazard",
    "interim",
    "masked",
    "noninferiority",
    "open-label",
    "protocol",
    "randomised",
    "subcutaneous",
    "titration",
    "washout",
]


def make(out: Path, count: int, *, seed: int = 7) -> Path:
    """Copy the bundled database to `out` and add `count` synthetic conditions to it."""
    rng = random.Random(seed)
    shutil.copyfile(paths.bundled_db(), out)
    with Store.open(out) as store:
        originals = [store.get_condition(cid) for cid in store.condition_ids()]
        with store.transaction():
            for n in range(count):
                base = originals[n % len(originals)]
                sprinkle = " ".join(rng.choice(WORDS) for _ in range(12))
                sections = tuple(
                    Section(s.title, f"{s.markdown}\n\n{sprinkle} (variant {n}).")
                    if s.title not in ("Safety", "Patient handout")
                    else s
                    for s in base.sections
                )
                condition = dataclasses.replace(
                    base,
                    id=f"{base.id}-v{n:05d}",
                    name=f"{base.name} variant {n:05d}",
                    abbreviations=(f"V{n:05d}",),
                    sections=sections,
                )
                store.put_condition(condition, local=False, base_hash=entries.entry_hash(condition))
            store.reindex()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    make(args.out, args.count)
    print(f"wrote {args.out} with {args.count} synthetic conditions")
    return 0


if __name__ == "__main__":
    sys.exit(main())

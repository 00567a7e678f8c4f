"""`python -m ketadesk`: the same entry point as the `ketadesk` command."""

from ketadesk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

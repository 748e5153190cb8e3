"""`python -m tools.mirror`: regenerate the mirror's reconstructed pages, routes and manifest."""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.mirror.build import REPOSITORY_MIRROR, build_files, write_files


def main(argv: list[str] | None = None) -> int:
    """Write the generated files into --out (default: archiver/mirror/); print each path."""
    parser = argparse.ArgumentParser(prog="python -m tools.mirror", description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=REPOSITORY_MIRROR,
        help="mirror directory to write into (default: archiver/mirror/ of this checkout)",
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=REPOSITORY_MIRROR,
        help="mirror directory holding the real captured pages (default: archiver/mirror/)",
    )
    args = parser.parse_args(argv)
    for rel in write_files(build_files(args.source), args.out):
        print(rel)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

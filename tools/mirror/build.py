"""Assemble every generated file of the mirror and write them into a mirror directory."""

from __future__ import annotations

from pathlib import Path

from tools.mirror import chinadaily, globaltimes
from tools.mirror.manifest import manifest, routes
from tools.mirror.markup import Files, to_json
from tools.mirror.requisites import requisite_files

# The mirror in this checkout: the real pages the generator reads, and where its output belongs.
REPOSITORY_MIRROR = Path(__file__).resolve().parents[2] / "archiver" / "mirror"


def build_files(source_root: Path = REPOSITORY_MIRROR) -> Files:
    """Every generated file, keyed by path relative to the mirror root.

    `source_root` is a mirror directory holding the real captured pages; the photo story's later
    pages are derived from its real page 1 there. Real pages are read, never generated.
    """
    return {
        **chinadaily.files(source_root),
        **globaltimes.files(),
        **requisite_files(),
        "routes.json": to_json(routes()),
        "manifest.json": to_json(manifest()),
    }


def write_files(files: Files, out: Path) -> list[str]:
    """Write `files` under `out` (folders made as needed); their paths, sorted."""
    for rel, data in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(files)

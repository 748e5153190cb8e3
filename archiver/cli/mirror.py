"""`python -m archiver.mirror`: serve the offline mirror until interrupted (its arguments)."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from archiver.mirror.server import MirrorServer


def main(argv: list[str] | None = None) -> int:
    """Serve on --bind:--port (127.0.0.1, 8000 by default) and print the URL; 0 on Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m archiver.mirror",
        description="`python -m archiver.mirror`: serve the offline mirror until interrupted.",
    )
    parser.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--root", type=Path, default=None, help="mirror directory (site/ ...)")
    parser.add_argument(
        "--overlay", type=Path, action="append", default=[], help="extra mirror directory"
    )
    args = parser.parse_args(argv)
    server = MirrorServer(root=args.root, host=args.bind, port=args.port, overlays=args.overlay)
    server.start()
    print(f"mirror serving at {server.url}  (set ARCHIVER_MIRROR={server.url}); Ctrl-C stops")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0

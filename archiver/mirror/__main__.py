"""`python -m archiver.mirror`: serve the offline mirror until interrupted."""

from __future__ import annotations

from archiver.cli.mirror import main

# An entry point only: nothing imports this module, so importing the CLI here closes no cycle.
raise SystemExit(main())

"""`python -m archiver` is the `archiver` command."""

from __future__ import annotations

import sys

from archiver.cli import main

sys.exit(main())

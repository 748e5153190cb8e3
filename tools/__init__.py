"""Developer tools, run from a checkout as `python -m tools.<name>`; not in the archiver wheel."""

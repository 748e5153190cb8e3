"""The User-Agent the archiver sends: the archiver and its version, and who runs the crawl."""

from __future__ import annotations

import scrapy

import archiver


def user_agent(contact: str = "") -> str:
    """`archiver/<version> (web archiving for research; Scrapy/<version>[; +<contact>])`."""
    operator = f"; +{contact}" if contact else ""
    return (
        f"archiver/{archiver.__version__} (web archiving for research; "
        f"Scrapy/{scrapy.__version__}{operator})"
    )

"""Scrapy settings of the project. The archiver components themselves come from the add-on."""

from __future__ import annotations

from archiver import layout

BOT_NAME = "archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "archiver.crawl.scrapy_commands"

# Installs WARC writing, extraction, retries with backoff, the mirror handler and the polite
# defaults below it; see archiver/crawl/addon.py for every ARCHIVER_* setting.
ADDONS = {"archiver.crawl.addon.ArchiverAddon": 0}

# Output root: WARC files under warc/, JSON Lines records under records/.
ARCHIVER_DIR = layout.DEFAULT_ROOT
# Who runs this crawl (an e-mail or URL), sent in the User-Agent and written to warcinfo.
ARCHIVER_CONTACT = ""
# Address of a local replica ("http://127.0.0.1:8000") to fetch from instead of the sites.
ARCHIVER_MIRROR = ""

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

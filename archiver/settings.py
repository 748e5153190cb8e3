"""Scrapy settings of the project: the polite defaults; the archiver's components come from the
add-on, which also adds ARCHIVER_CONTACT to the User-Agent."""

from __future__ import annotations

from archiver import layout
from archiver.crawl.agent import user_agent

BOT_NAME = "archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "archiver.crawl.scrapy_commands"

# Installs WARC writing, extraction, retries with backoff and the mirror handler; see
# archiver/crawl/addon.py for every ARCHIVER_* setting.
ADDONS = {"archiver.crawl.addon.ArchiverAddon": 0}

# Output root: WARC files under warc/, JSON Lines records under records/.
ARCHIVER_DIR = layout.DEFAULT_ROOT
# Who runs this crawl (an e-mail or URL), sent in the User-Agent and written to warcinfo.
ARCHIVER_CONTACT = ""
# Address of a local replica ("http://127.0.0.1:8000") to fetch from instead of the sites.
ARCHIVER_MIRROR = ""

# -- polite defaults: plain settings, so `scrapy settings --get NAME` shows them and -s wins ---

# The archiver and its version; the add-on appends "; +<ARCHIVER_CONTACT>" when one is given
# (and USER_AGENT is still this value).
USER_AGENT = user_agent()
ROBOTSTXT_OBEY = True
# At least 2 s between requests to one host: AutoThrottle never goes below DOWNLOAD_DELAY,
# and jitter would (Scrapy's default 0.5 draws 0.5x to 1.5x). DOWNLOAD_DELAY_JITTER replaces
# the deprecated RANDOMIZE_DOWNLOAD_DELAY (Scrapy 2.19 warns on every crawl that sets it).
DOWNLOAD_DELAY = 2
DOWNLOAD_DELAY_JITTER = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 4.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Hostile sizes: a page over 32 MiB is cut off and counted, not archived without end.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60
# A body cut short (a reset, a close before Content-Length) still reaches the WARC, marked
# WARC-Truncated; archiver.crawl.bodies retries it and never lets it become a record.
DOWNLOAD_FAIL_ON_DATALOSS = False
# A code-execution endpoint has no place in an unattended crawler.
TELNETCONSOLE_ENABLED = False
# Sent on every request. gzip and deflate only: Scrapy would also ask for br and zstd, which
# pywb cannot replay and warcio mis-decodes (docs/pitfalls.md). This replaces Scrapy's whole
# dict, so Accept and Accept-Language are declared again.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

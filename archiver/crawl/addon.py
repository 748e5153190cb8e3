"""One add-on that installs every archiver component and the polite crawling defaults."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import scrapy
from scrapy.downloadermiddlewares import cookies
from tldextract import TLDExtract

import archiver
from archiver.crawl import scaleout
from archiver.crawl.mirror_handler import mirror_origin
from archiver.store.feeds import FEED_EXPORTERS

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings, Settings

logger = logging.getLogger(__name__)

# Sent on every request. gzip and deflate only: Scrapy would also ask for br and zstd, which
# pywb cannot replay and warcio mis-decodes (docs/pitfalls.md). DEFAULT_REQUEST_HEADERS replaces
# Scrapy's whole dict, so Accept and Accept-Language are declared again.
REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}

_POLITE = {
    "ROBOTSTXT_OBEY": True,
    # At least 2 s between requests to one host: AutoThrottle never goes below DOWNLOAD_DELAY,
    # and jitter would (Scrapy's default 0.5 draws 0.5x to 1.5x). DOWNLOAD_DELAY_JITTER replaces
    # the deprecated RANDOMIZE_DOWNLOAD_DELAY (Scrapy 2.19 warns on every crawl that sets it).
    "DOWNLOAD_DELAY": 2.0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 4.0,
    "AUTOTHROTTLE_MAX_DELAY": 60.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "RETRY_TIMES": 3,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    # Hostile sizes: a page over 32 MiB is cut off and counted, not archived without end.
    "DOWNLOAD_MAXSIZE": 32 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 8 * 1024 * 1024,
    "DOWNLOAD_TIMEOUT": 60,
    # A body cut short (a reset, a close before Content-Length) still reaches the WARC, marked
    # WARC-Truncated; archiver.crawl.bodies retries it and never lets it become a record.
    "DOWNLOAD_FAIL_ON_DATALOSS": False,
    # A code-execution endpoint has no place in an unattended crawler.
    "TELNETCONSOLE_ENABLED": False,
}

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "archiver.crawl.retry.BackoffRetryMiddleware": 550,
    # Low: sees a requisite's response after redirects and retries are done.
    "archiver.crawl.requisites.RequisitesMiddleware": 50,
    # Above HttpCompressionMiddleware (590): sees bodies still encoded.
    "archiver.crawl.bodies.BodyGuardMiddleware": 595,
    "archiver.crawl.statuses.StatusCountMiddleware": 596,
    "archiver.crawl.offsite.OffsiteRedirectMiddleware": 100,
    # First to see a response (before redirects and retries copy request.meta): puts in it the
    # capture the WARC extension's writer thread wrote.
    "archiver.warc.extension.CaptureWaitMiddleware": 950,
}


def contact_warning(settings: BaseSettings) -> str | None:
    """The one warning a crawl of the live sites without ARCHIVER_CONTACT logs as it starts.

    None for a crawl with a contact or through ARCHIVER_MIRROR (no site sees that one). A site
    operator who sees unusual traffic looks for a way to reach whoever sends it; without one,
    blocking the crawler is all that is left to them.
    """
    if settings.get("ARCHIVER_MIRROR") or str(settings.get("ARCHIVER_CONTACT") or "").strip():
        return None
    return (
        "ARCHIVER_CONTACT is not set: this crawl of the live sites tells them no way to reach "
        "you; set it to your e-mail or URL (-s ARCHIVER_CONTACT=you@example.org), which the "
        "User-Agent and the WARC files carry"
    )


def use_bundled_public_suffixes() -> None:
    """Make Scrapy's cookie middleware read tldextract's bundled public suffix list.

    By default tldextract downloads the list on first use (a Set-Cookie with a Domain): the
    archiver reaches no host but the sites it archives. Scrapy offers no setting for it, so
    its module-level extractor is replaced.
    """
    cookies._split_domain = TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


class ArchiverAddon:
    """Installs the WARC extension, the extraction pipeline (and feed exporters that write its
    records as their record lines do) and backoff retries.

    With ARCHIVER_REDIS_URL set, the crawl is one worker of a scaled-out run
    (archiver.crawl.scaleout).

    With ARCHIVER_MIRROR set, http and https are fetched from that address instead (see
    archiver.crawl.mirror_handler). Every value is set at "addon" priority, so `-s NAME=VALUE` and
    settings.py still override it.
    """

    def update_settings(self, settings: Settings) -> None:
        use_bundled_public_suffixes()
        warning = contact_warning(settings)
        if warning is not None:
            logger.warning(warning)
        for name, value in _POLITE.items():
            settings.set(name, value, priority="addon")
        settings.set("DEFAULT_REQUEST_HEADERS", REQUEST_HEADERS, priority="addon")
        contact = settings.get("ARCHIVER_CONTACT") or ""
        user_agent = (
            f"archiver/{archiver.__version__} (web archiving for research; "
            f"Scrapy/{scrapy.__version__}{'; +' + contact if contact else ''})"
        )
        settings.set("USER_AGENT", user_agent, priority="addon")

        # The WARC layer does not know the index: it is handed the index's CaptureLog.
        settings.set(
            "ARCHIVER_WARC_CAPTURE_LOG",
            "archiver.store.index.capture_log.crawl_capture_log",
            priority="addon",
        )
        settings["EXTENSIONS"].update(
            {
                "archiver.warc.extension.WarcExtension": 100,
                "archiver.store.run_summary.RunSummaryExtension": 900,
                # Keeps what arrived of a body over DOWNLOAD_MAXSIZE or DOWNLOAD_TIMEOUT.
                "archiver.crawl.cutoff.DownloadCutoff": 110,
            }
        )
        settings["ITEM_PIPELINES"].update({"archiver.store.pipeline.ExtractionPipeline": 300})
        # `-O items.jsonl` writes each record as its record line says it (archiver.store.feeds).
        settings["FEED_EXPORTERS"].update(FEED_EXPORTERS, priority="addon")
        settings["DOWNLOADER_MIDDLEWARES"].update(DOWNLOADER_MIDDLEWARES)
        settings["SPIDER_MIDDLEWARES"].update(
            {"archiver.crawl.requisites.RequisitesMiddleware": 950}
        )
        scaleout.configure(settings)
        mirror = settings.get("ARCHIVER_MIRROR") or ""
        if mirror:
            mirror_origin(mirror)  # fail at start with a clear message, not on the first request
            handler = "archiver.crawl.mirror_handler.MirrorDownloadHandler"
            settings["DOWNLOAD_HANDLERS"].update({"http": handler, "https": handler})
        else:
            # Lets the cut-off time a slow body as Scrapy does; a handler the user chose
            # (HTTP/2, say) stays, and the cut-off then counts from the headers.
            handler = "archiver.crawl.cutoff.TimedDownloadHandler"
            handlers = settings["DOWNLOAD_HANDLERS"]
            for scheme in ("http", "https"):
                if not handlers.get(scheme):
                    handlers[scheme] = handler

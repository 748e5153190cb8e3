"""One add-on that installs every archiver component (the polite defaults are in settings.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares import cookies
from tldextract import TLDExtract

from archiver.crawl import scaleout
from archiver.crawl.agent import user_agent
from archiver.crawl.mirror_handler import mirror_origin
from archiver.store.feeds import FEED_EXPORTERS

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings, Settings

logger = logging.getLogger(__name__)

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
    archiver.crawl.mirror_handler). Every value is set at "addon" priority (the User-Agent with
    the contact at that of the one it replaces), so `-s NAME=VALUE` and settings.py still
    override it.

    The polite defaults (delays, AutoThrottle, retries, sizes, timeouts, request headers, the
    User-Agent) are plain settings in archiver/settings.py, so that `scrapy settings --get`
    shows them; a project of its own that installs this add-on starts from
    `from archiver.settings import *`. What depends on other settings is set here: the
    contact in the User-Agent, the download handlers, the Redis scheduler.
    """

    def update_settings(self, settings: Settings) -> None:
        use_bundled_public_suffixes()
        warning = contact_warning(settings)
        if warning is not None:
            logger.warning(warning)
        contact = settings.get("ARCHIVER_CONTACT") or ""
        # ARCHIVER_CONTACT may come from -s: only now is it known. A User-Agent of the user's
        # own (anything but settings.py's) stays as it is.
        if contact and settings.get("USER_AGENT") == user_agent():
            priority = settings.getpriority("USER_AGENT") or "addon"
            settings.set("USER_AGENT", user_agent(contact), priority=priority)

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
            {
                "archiver.crawl.requisites.RequisitesMiddleware": 950,
                # Nearest the spider: sees its callbacks' and start requests' exceptions first.
                "archiver.crawl.storage_guard.StorageGuardMiddleware": 990,
            }
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

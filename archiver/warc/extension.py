"""Scrapy extension: write every downloaded HTTP exchange into WARC files as it arrives."""

from __future__ import annotations

import logging
import platform
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet.defer import Deferred

import archiver
from archiver.durable import describe, is_storage_error, stop_on_io_error
from archiver.layout import DEFAULT_ROOT, ArchiveLayout, root_from_settings
from archiver.record import CaptureRef
from archiver.warc.exchange import HttpExchange, exchange_from_scrapy
from archiver.warc.revisits import (
    CaptureLog,
    CaptureLogFactory,
    Payload,
    RevisitDecision,
    decide_revisit,
    payload_of,
)
from archiver.warc.writer import RotatingWarcWriter, new_record_id, utc_now

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# Settings, with their defaults. WARC files go to {ARCHIVER_DIR}/warc/{spider.name}/.
SETTINGS_DEFAULTS: dict[str, Any] = {
    # Switch: False disables WARC writing (the extension raises NotConfigured).
    "ARCHIVER_WARC_ENABLED": True,
    # Root directory of the archive; CaptureRef.warc_file is relative to it.
    "ARCHIVER_DIR": DEFAULT_ROOT,
    # A WARC file rolls over once it holds this many bytes (compressed) after an exchange.
    "ARCHIVER_WARC_MAX_SIZE": 1_000_000_000,
    # File name prefix and warcinfo isPartOf; None means the spider name.
    "ARCHIVER_WARC_PREFIX": None,
    # Who runs the crawl (e-mail or URL): warcinfo `operator`, and the User-Agent (add-on).
    "ARCHIVER_CONTACT": "",
    # Address of the offline mirror the crawl used, if any; written to warcinfo `mirror` only.
    "ARCHIVER_MIRROR": "",
    # Callable (or its import path) returning an aware UTC datetime; None: the real clock.
    "ARCHIVER_CLOCK": None,
    # Callable (or its import path) returning "<urn:uuid:...>"; None: uuid4.
    "ARCHIVER_RECORD_ID": None,
    # Callable (or its import path) taking the crawler and returning the CaptureLog that decides
    # revisits and records captures (archiver.warc.revisits), or None. The add-on names the
    # archive index's; None: every response is written in full and nothing is recorded.
    "ARCHIVER_WARC_CAPTURE_LOG": None,
}

META_KEY = "archiver_capture"
"""request.meta key holding the CaptureRef of the response record last written for it."""

PENDING_KEY = "archiver_capture_pending"
"""request.meta key of the Deferred of a capture the writer thread is still writing (it fires
with the CaptureRef, or None when the write failed); CaptureWaitMiddleware moves it to META_KEY."""

_ARCHIVED_SCHEMES = ("http://", "https://")


def warcinfo_fields(
    *, user_agent: str, operator: str, mirror: str, robots_obey: bool
) -> dict[str, str]:
    """The warcinfo fields describing a crawl: software versions, operator, how it fetched."""
    software = f"archiver/{archiver.__version__} " + " ".join(
        f"{name}/{_version(name)}" for name in ("scrapy", "warcio", "twisted")
    )
    software += f" python/{platform.python_version()}"
    return {
        "software": software,
        "operator": operator or "unknown",
        "http-header-user-agent": user_agent,
        "robots": "obey" if robots_obey else "ignore",
        "mirror": mirror or "none",
    }


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


class WarcExtension:
    """Writes each network response (every redirect hop, retry and robots.txt) with its request.

    Hooks `response_downloaded`: it fires before HttpCompressionMiddleware decodes the body and
    never for HttpCache hits. The CaptureRef goes to `request.meta["archiver_capture"]`.
    With a CaptureLog (the archive index), a response whose raw payload equals an earlier
    response of the same URL and status is written as a revisit record of it, and every capture
    is recorded in the log. With CaptureWaitMiddleware installed (the add-on installs it), the
    digests, record building, gzip and append run on one writer thread (`use_writer_thread`).
    Stats: archiver/warc/{exchanges,records,bytes,files,revisits}, archiver/warc/errors/<Exception>,
    archiver/warc/skipped/<scheme>. A failed write of the file or of the capture log (disk full,
    I/O error) stops the crawl (archiver.durable.stop_on_io_error): reason `io_error`.
    """

    def __init__(
        self,
        *,
        root: Path,
        max_size: int,
        prefix: str | None,
        warcinfo: Mapping[str, str],
        stats: StatsCollector,
        clock: Callable[[], datetime] = utc_now,
        record_id: Callable[[], str] = new_record_id,
        captures: CaptureLog | None = None,
    ) -> None:
        self.captures = captures
        self.root = root
        self.max_size = max_size
        self.prefix = prefix
        self.warcinfo = dict(warcinfo)
        self.stats = stats
        self.clock = clock
        self.record_id = record_id
        self.writer: RotatingWarcWriter | None = None
        self.crawler: Crawler | None = None
        """Set by from_crawler: a failed write (disk full) closes the spider through it."""
        self.thread: ThreadPoolExecutor | None = None
        """The writer thread, once CaptureWaitMiddleware asked for it (`use_writer_thread`)."""
        self._queue: deque[_Queued] = deque()
        self._busy = False
        self._idle: list[Deferred[None]] = []

    def use_writer_thread(self) -> None:
        """Build, compress and append records on one writer thread from now on (zlib and hashlib
        release the GIL), in the order the responses arrived; each capture then reaches
        request.meta through CaptureWaitMiddleware. Revisit decisions and the capture log stay
        on the reactor thread, each made after the previous exchange's capture is recorded, so
        the records and the log are the same as when written inline."""
        if self.thread is None:
            self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archiver-warc")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings

        def get(name: str) -> Any:
            return settings.get(name, SETTINGS_DEFAULTS[name])

        if not settings.getbool(
            "ARCHIVER_WARC_ENABLED", SETTINGS_DEFAULTS["ARCHIVER_WARC_ENABLED"]
        ):
            raise NotConfigured("ARCHIVER_WARC_ENABLED is False")
        assert crawler.stats is not None
        clock_path, id_path = get("ARCHIVER_CLOCK"), get("ARCHIVER_RECORD_ID")
        log_path = get("ARCHIVER_WARC_CAPTURE_LOG")
        log_factory: CaptureLogFactory | None = load_object(log_path) if log_path else None
        extension = cls(
            root=root_from_settings(settings),
            max_size=settings.getint(
                "ARCHIVER_WARC_MAX_SIZE", SETTINGS_DEFAULTS["ARCHIVER_WARC_MAX_SIZE"]
            ),
            prefix=get("ARCHIVER_WARC_PREFIX") or None,
            warcinfo=warcinfo_fields(
                user_agent=str(settings.get("USER_AGENT") or ""),
                operator=str(get("ARCHIVER_CONTACT") or ""),
                mirror=str(get("ARCHIVER_MIRROR") or ""),
                robots_obey=settings.getbool("ROBOTSTXT_OBEY"),
            ),
            stats=crawler.stats,
            clock=load_object(clock_path) if clock_path else utc_now,
            record_id=load_object(id_path) if id_path else new_record_id,
            captures=log_factory(crawler) if log_factory is not None else None,
        )
        extension.crawler = crawler
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(extension.spider_closed_async, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        """Start a writer for {root}/warc/{spider.name}/ (files are created on first write)."""
        self.writer = RotatingWarcWriter(
            ArchiveLayout(self.root).warc_dir(spider.name),
            self.prefix or spider.name,
            self.max_size,
            self.warcinfo,
            root=self.root,
            clock=self.clock,
            record_id=self.record_id,
        )

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Write the exchange and store its CaptureRef in request.meta; count, log, never raise.

        Scrapy only logs exceptions from signal handlers, so every failure is counted in stats.
        """
        if not request.url.startswith(_ARCHIVED_SCHEMES):
            scheme = request.url.partition(":")[0]
            self.stats.inc_value(f"archiver/warc/skipped/{scheme}")
            return
        try:
            if self.writer is None:
                raise RuntimeError("WARC writer not started (spider_opened not seen)")
            exchange = exchange_from_scrapy(request, response)
            if self.thread is not None:
                done: Deferred[CaptureRef | None] = Deferred()
                request.meta[PENDING_KEY] = done
                # The digests (sha1, gunzip and sha256) start on the writer thread at once.
                digests = None
                if self.captures is not None:
                    digests = self.thread.submit(payload_of, exchange)
                self._queue.append(_Queued(exchange, request, done, digests))
                if not self._busy:
                    self._next()
                return
            decision, payload = self._decide(exchange)
            capture = _write(self.writer, exchange, decision)
            self._written(capture, payload, decision)
        except Exception as exc:
            self._failed(request, exc)
            return
        request.meta[META_KEY] = capture

    def _decide(
        self, exchange: HttpExchange, digests: Future[Payload] | None = None
    ) -> tuple[RevisitDecision, Payload | None]:
        if self.captures is None:
            return RevisitDecision(None), None
        payload = payload_of(exchange) if digests is None else digests.result()
        return decide_revisit(self.captures, payload), payload

    def _written(
        self, capture: CaptureRef, payload: Payload | None, decision: RevisitDecision
    ) -> None:
        if self.captures is not None and payload is not None:
            if decision.original is not None:
                self.stats.inc_value("archiver/warc/revisits")
            elif decision.refused:
                self.stats.inc_value("archiver/warc/revisits_refused/raw_payload_differs")
            self.captures.record(capture, payload, decision.original)
        self.stats.inc_value("archiver/warc/exchanges")
        self.stats.inc_value("archiver/warc/records", 2)
        self._update_totals()

    def _failed(self, request: Request, exc: Exception) -> None:
        # A capture from an earlier redirect hop must not pass as this response's.
        request.meta.pop(META_KEY, None)
        self.stats.inc_value(f"archiver/warc/errors/{type(exc).__name__}")
        if is_storage_error(exc) and self.crawler is not None:
            # Disk full or failing: every later write would fail too. Stop, in one line.
            # An OSError is the WARC file's; anything else the capture log's (the index).
            where = self._current_file() if isinstance(exc, OSError) else "capture log"
            stop_on_io_error(self.crawler, exc, where)
        else:
            logger.error("WARC write failed for %s: %r", request.url, exc, exc_info=True)

    # -- the writer thread (reactor side) ------------------------------------------------------

    def _next(self) -> None:
        """Decide the next queued exchange and hand it to the writer thread (one at a time)."""
        from twisted.internet import reactor

        self._busy = False
        while self._queue and not self._busy:
            queued = self._queue[0]
            if queued.digests is not None and not queued.digests.done():
                self._busy = True  # back here when they are
                queued.digests.add_done_callback(lambda _: reactor.callFromThread(self._next))
                break
            self._queue.popleft()
            request, done = queued.request, queued.done
            try:
                decision, payload = self._decide(queued.exchange, queued.digests)
            except Exception as exc:
                self._failed(request, exc)
                done.callback(None)
                continue
            assert self.thread is not None and self.writer is not None
            future = self.thread.submit(_write, self.writer, queued.exchange, decision)
            self._busy = True
            back = partial(self._back, reactor, request, done, payload, decision)
            future.add_done_callback(back)
        if not self._busy and not self._queue:
            idle, self._idle = self._idle, []
            for waiting in idle:
                waiting.callback(None)

    def _back(self, reactor: Any, *args: Any) -> None:
        # On the writer thread, as its write ends: finish on the reactor thread.
        future = args[-1]
        reactor.callFromThread(self._done, future, *args[:-1])

    def _done(
        self,
        future: Future[CaptureRef],
        request: Request,
        done: Deferred[CaptureRef | None],
        payload: Payload | None,
        decision: RevisitDecision,
    ) -> None:
        capture: CaptureRef | None = None
        try:
            capture = future.result()
            self._written(capture, payload, decision)
        except Exception as exc:
            capture = None
            self._failed(request, exc)
        # The next exchange is decided only now, after this capture is in the log.
        self._next()
        done.callback(capture)

    def _drained(self) -> Deferred[None]:
        idle: Deferred[None] = Deferred()
        if self._busy or self._queue:
            self._idle.append(idle)
        else:
            idle.callback(None)
        return idle

    async def spider_closed_async(self, spider: Spider) -> None:
        """`spider_closed`, once the writer thread has written every exchange handed to it."""
        if self.thread is not None:
            await maybe_deferred_to_future(self._drained())
            self.thread.shutdown(wait=True)
        self.spider_closed(spider)

    def spider_closed(self, spider: Spider) -> None:
        """Finish and rename the open WARC file; tell the capture log the files are complete."""
        if self.writer is None:
            return
        try:
            self.writer.close()
        except Exception as exc:
            # The file stays .open: the next crawl's recovery keeps its complete pairs.
            self.stats.inc_value(f"archiver/warc/errors/{type(exc).__name__}")
            logger.error("Closing WARC file failed: %s", describe(exc))
        if self.captures is not None:
            layout = ArchiveLayout(self.root)
            try:
                for path in self.writer.files:
                    self.captures.file_done(layout.relative(path), path.stat().st_size)
            except Exception as exc:
                if not is_storage_error(exc):
                    raise
                # Only costs a re-read of the files at the next start.
                logger.error("index not told the WARC files are complete: %s", describe(exc))
        self._update_totals()

    def _current_file(self) -> str | None:
        writer = self.writer
        return str(writer.last_path) if writer is not None and writer.last_path else None

    def _update_totals(self) -> None:
        assert self.writer is not None
        self.stats.set_value("archiver/warc/bytes", self.writer.bytes_written)
        self.stats.set_value("archiver/warc/files", self.writer.files_opened)


@dataclass(frozen=True)
class _Queued:
    """An exchange waiting for the writer thread, with its digests (None: no capture log)."""

    exchange: HttpExchange
    request: Request
    done: Deferred[CaptureRef | None]
    digests: Future[Payload] | None


def _write(
    writer: RotatingWarcWriter, exchange: HttpExchange, decision: RevisitDecision
) -> CaptureRef:
    # On the writer thread when there is one: record building, digests, gzip, the append.
    if decision.original is not None:
        return writer.write_revisit(exchange, decision.original)
    return writer.write_exchange(exchange)


class CaptureWaitMiddleware:
    """Downloader middleware: puts each response's capture in request.meta before any other
    middleware sees the response, waiting (without blocking the reactor) for the WARC writer
    thread to write it. Installing it (the add-on does, at 950: before redirects and retries
    copy request.meta) is what makes WarcExtension use its writer thread; without it the
    extension writes inline, as a WARC layer used on its own does.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureWaitMiddleware:
        assert crawler.extensions is not None
        for extension in crawler.extensions.middlewares:
            if isinstance(extension, WarcExtension):
                extension.use_writer_thread()
        return cls()

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        pending = request.meta.pop(PENDING_KEY, None)
        if isinstance(pending, Deferred):
            capture = await maybe_deferred_to_future(pending)
            if capture is None:
                request.meta.pop(META_KEY, None)
            else:
                request.meta[META_KEY] = capture
        return response

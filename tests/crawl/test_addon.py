"""The polite defaults (settings.py) and the add-on's wiring, read from a real crawler's settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from archiver.crawl.addon import ArchiverAddon
from archiver.store.index.archive_index import ArchiveIndex
from archiver.warc.extension import WarcExtension

pytestmark = pytest.mark.unit


def _settings(**overrides: object) -> Settings:
    settings = get_project_settings()
    settings.setdict(dict(overrides), priority="cmdline")
    ArchiverAddon().update_settings(settings)
    return settings


def test_polite_defaults() -> None:
    settings = _settings(ARCHIVER_CONTACT="archive-team@example.org")
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getfloat("DOWNLOAD_DELAY") >= 2.0
    assert settings.getfloat("DOWNLOAD_DELAY_JITTER") == 0
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert 429 in settings.getlist("RETRY_HTTP_CODES") and 503 in settings.getlist(
        "RETRY_HTTP_CODES"
    )
    assert settings["DEFAULT_REQUEST_HEADERS"]["Accept-Encoding"] == "gzip, deflate"
    assert (
        "archiver/" in settings["USER_AGENT"]
        and "archive-team@example.org" in settings["USER_AGENT"]
    )


def test_polite_defaults_are_plain_settings_before_any_add_on_runs() -> None:
    # What `scrapy settings --get NAME` shows: the project's settings, no add-on applied.
    settings = get_project_settings()
    assert settings.getfloat("DOWNLOAD_DELAY") == 2
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert not settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS")
    assert settings["DEFAULT_REQUEST_HEADERS"]["Accept-Encoding"] == "gzip, deflate"
    assert settings["USER_AGENT"].startswith("archiver/")


def test_the_contact_joins_the_user_agent_but_a_users_own_agent_stays() -> None:
    assert (
        "+archive-team@example.org)"
        in _settings(ARCHIVER_CONTACT="archive-team@example.org")["USER_AGENT"]
    )
    assert "+" not in _settings()["USER_AGENT"]
    own = _settings(ARCHIVER_CONTACT="archive-team@example.org", USER_AGENT="my-bot/1")
    assert own["USER_AGENT"] == "my-bot/1"


def test_polite_delay_has_no_jitter_and_no_deprecation_warning() -> None:
    # Scrapy 2.19 warns at every Downloader start when RANDOMIZE_DOWNLOAD_DELAY is set; pytest
    # turns the warning into an error here.
    from scrapy.core.downloader import _default_jitter

    assert _default_jitter(_settings()) == 0.0


def test_command_line_overrides_win() -> None:
    assert _settings(DOWNLOAD_DELAY=0).getfloat("DOWNLOAD_DELAY") == 0


def test_mirror_installs_handler_and_rejects_bad_address() -> None:
    settings = _settings(ARCHIVER_MIRROR="http://127.0.0.1:8000")
    assert (
        settings["DOWNLOAD_HANDLERS"]["https"]
        == "archiver.crawl.mirror_handler.MirrorDownloadHandler"
    )
    assert _settings()["DOWNLOAD_HANDLERS"].get("https") != settings["DOWNLOAD_HANDLERS"]["https"]
    with pytest.raises(ValueError, match=r"e\.g\. http://127\.0\.0\.1:8000"):
        _settings(ARCHIVER_MIRROR="127.0.0.1:8000/path")


def test_components_load_in_a_crawler() -> None:
    crawler = get_crawler(settings_dict={"ADDONS": {ArchiverAddon: 0}})
    crawler._apply_settings()
    assert "archiver.warc.extension.WarcExtension" in crawler.settings.getdict("EXTENSIONS")
    assert "archiver.store.pipeline.ExtractionPipeline" in crawler.settings.getdict(
        "ITEM_PIPELINES"
    )


def test_telnet_console_is_off() -> None:
    assert not _settings().getbool("TELNETCONSOLE_ENABLED")


def test_cookie_domains_are_split_without_reaching_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Scrapy's cookie middleware asks tldextract whether a cookie's Domain is a public suffix;
    # tldextract's default downloads the list from the internet on first use.
    import socket

    from scrapy.downloadermiddlewares import cookies

    _settings()
    reached: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        reached.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    parts = cookies._split_domain("www.chinadaily.com.cn")
    assert (parts.domain, parts.suffix) == ("chinadaily", "com.cn")
    assert cookies._is_public_domain("com.cn")
    assert not cookies._is_public_domain("globaltimes.cn")
    assert reached == []


def test_the_warc_extension_gets_the_index_as_its_capture_log(tmp_path: Path) -> None:
    # The add-on is what hands the WARC layer the archive index: a repeated page is a revisit.
    crawler = get_crawler(
        settings_dict={"ADDONS": {ArchiverAddon: 0}, "ARCHIVER_DIR": str(tmp_path)}
    )
    crawler._apply_settings()
    extension = build_from_crawler(WarcExtension, crawler)
    extension.spider_opened(Spider(name="unit"))
    for _ in range(2):
        request = Request("https://www.example.com/a")
        response = Response(request.url, body=b"<html>same</html>", request=request)
        extension.response_downloaded(response, request)
    extension.spider_closed(Spider(name="unit"))
    assert crawler.stats is not None
    assert crawler.stats.get_value("archiver/warc/revisits") == 1
    with ArchiveIndex(tmp_path) as index:
        kinds = index.conn.execute("SELECT record_type FROM captures ORDER BY warc_offset")
        assert [kind for (kind,) in kinds] == ["response", "revisit"]

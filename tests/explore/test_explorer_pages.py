"""The explorer's pages and JSON twins, in-process (Flask's test client) over a small archive."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from archiver.explore import create_app
from archiver.explore.app import CSP
from archiver.store.index.location import IndexLocation
from tests.explore.small_archive import (
    CHINESE,
    DELETED,
    EDITED,
    HOSTILE,
    PAYLOAD_TEXT,
    PAYLOAD_TITLE,
    build,
)

pytestmark = pytest.mark.unit

REPLAY = "http://127.0.0.1:9999/archive/"
PAGES = (
    "/",
    "/coverage",
    "/changes",
    f"/article?url={EDITED}",
    f"/article/diff?url={EDITED}&from=1&to=2",
    f"/article?url={HOSTILE}",
    f"/article?url={CHINESE}",
)


@pytest.fixture(scope="module")
def location() -> IndexLocation | None:
    """Where the small archive's index is: the archive's own file (the PostgreSQL twin of this
    module, test_explorer_pages_postgres.py, gives a database's URL)."""
    return None


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, location: IndexLocation | None) -> Path:
    return build(tmp_path_factory.mktemp("small") / "archive", location)


@pytest.fixture(scope="module")
def client(root: Path, location: IndexLocation | None) -> Iterator[FlaskClient]:
    app = create_app(root, location, replay_url=REPLAY)
    app.testing = True
    yield app.test_client()
    app.extensions["archiver"].connections.close()


def test_a_replaced_index_is_read_again(tmp_path: Path) -> None:
    """`archiver index rebuild` puts a new file in place: the next request reads it."""
    import shutil

    from archiver.store.index.archive_index import ArchiveIndex

    root = build(tmp_path / "archive")
    app = create_app(root)
    client = app.test_client()
    before = client.get("/api/overview").json
    assert before is not None and sum(s["articles"] for s in before["sites"]) == 4
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(root / "index.sqlite3", fresh / "index.sqlite3")
    with ArchiveIndex(root, fresh / "index.sqlite3") as index:
        index.conn.execute("DELETE FROM articles WHERE site = 'chinadaily'")
        index.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (fresh / "index.sqlite3").replace(root / "index.sqlite3")
    after = client.get("/api/overview").json
    assert after is not None and sum(s["articles"] for s in after["sites"]) == 2
    app.extensions["archiver"].connections.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_a_strict_policy(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe" not in CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    tags = _tags(response.text)
    for name, attrs in tags:
        if name == "script":  # only the package's own files, or data that is never run
            assert attrs.get("src", "").startswith("/static/") or attrs.get("type") == (
                "application/json"
            ), attrs
        assert not [a for a in attrs if a.startswith("on") or a == "style"], (name, attrs)
        assert name not in ("style", "iframe", "object", "embed", "img", "base"), name


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    """Every start tag of the page as a browser's tokenizer reads it, with its attributes."""
    parser = _Tags()
    parser.feed(html)
    return parser.found


def test_overview_counts_sites_runs_and_changes(client: FlaskClient) -> None:
    data = client.get("/api/overview").json
    assert data is not None
    sites = {s["site"]: s for s in data["sites"]}
    assert sites["globaltimes"] == {
        "site": "globaltimes",
        "articles": 2,
        "records": 3,
        "edits": 1,
        "deleted": 1,
    }
    assert sites["chinadaily"]["articles"] == 2
    assert [r["verdict"] for r in data["runs"]] == ["failed", "ok"]
    assert [c["kind"] for c in data["changes"]["recent"]] == ["edited", "deleted"]
    per_day = data["per_day"]
    assert len(per_day["labels"]) == 90 and per_day["labels"][-1] == "2026-09-26"
    page = client.get("/").text
    assert "field &#39;authors&#39; &lt;b&gt;dropped&lt;/b&gt;" in page  # a problem, escaped
    assert 'id="per-day"' in page and "chart.umd.min.js" in page


def test_article_page_shows_the_record_as_a_reader_sees_it(client: FlaskClient) -> None:
    page = client.get(f"/article?url={EDITED}").text
    assert "Autumn travel bookings soar ahead of National Day" in page
    assert "Li Hao</span>" not in page or "in Beijing" in page
    assert "Li Hao in Beijing" in page
    assert "Published: Sep 25, 2026 09:08 PM" in page  # a date candidate
    assert "Crowds" in page and "VCG" in page and "https://www.globaltimes.cn/img/a.jpg" in page
    assert "<img" not in page  # archived images are never fetched
    assert f'href="{REPLAY}20260926020000/{EDITED}"' in page
    assert f'href="{REPLAY}20260927020000/{EDITED}"' in page
    assert "warc/globaltimes/globaltimes-20260927020000-00001-test-1.warc.gz" in page
    assert "/api/record?url=" in page


def test_article_twin_has_the_latest_record_and_versions(client: FlaskClient) -> None:
    data = client.get(f"/api/article?url={EDITED}").json
    assert data is not None
    assert data["record"]["version"] == 2
    assert [v["version"] for v in data["versions"]] == [1, 2]
    assert data["versions"][1]["changes"] == ["title", "text"]
    assert [c["replay"] for c in data["captures"]] == [
        f"{REPLAY}20260926020000/{EDITED}",
        f"{REPLAY}20260927020000/{EDITED}",
    ]


def test_the_record_download_is_the_json_line(client: FlaskClient, root: Path) -> None:
    response = client.get(f"/api/record?url={EDITED}&version=1")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    line = (
        (root / "records/globaltimes/globaltimes-20260926020000-test-1.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()[0]
    )
    assert response.text == line + "\n"
    latest = client.get(f"/api/record?url={EDITED}").json
    assert latest is not None and latest["version"] == 2


def test_diff_marks_the_changed_words_side_by_side(client: FlaskClient) -> None:
    page = client.get(f"/article/diff?url={EDITED}&from=1&to=2").text
    assert "<del>tourism</del>" in page and "<ins>travel</ins>" in page
    assert "<ins>CORRECTION: figures fixed. </ins>" in page
    assert f'href="{REPLAY}20260926020000/{EDITED}"' in page
    data = client.get(f"/api/article/diff?url={EDITED}").json
    assert data is not None and (data["from"], data["to"]) == (1, 2)
    title = next(w for w in data["words"] if w["field"] == "title")
    assert ["tourism", "removed"] in title["old"] and ["travel", "added"] in title["new"]
    assert [v["field"] for v in data["values"]] == ["tags"]


def test_changes_newest_first_with_a_summary_and_filters(client: FlaskClient) -> None:
    data = client.get("/api/changes").json
    assert data is not None and data["total"] == 2
    edit = next(c for c in data["changes"] if c["kind"] == "edited")
    assert edit["summary"].startswith("title: “Autumn tourism bookings surge")
    assert "text: 3 words added, 0 removed" in edit["summary"]
    only = client.get("/api/changes?kind=deleted&site=globaltimes").json
    assert only is not None and [c["url"] for c in only["changes"]] == [DELETED]
    later = client.get("/api/changes?since=2027-01-01").json
    assert later is not None and later["total"] == 0
    assert "text: 3 words added" in client.get("/changes").text


def test_the_atom_feed_is_valid_xml_with_one_entry_per_change(client: FlaskClient) -> None:
    response = client.get("/changes.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == f"{atom}feed"
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == 2
    for entry in entries:
        for name in ("id", "title", "updated", "link"):
            assert entry.find(f"{atom}{name}") is not None
    links = [e.find(f"{atom}link").get("href") for e in entries]  # type: ignore[union-attr]
    assert any("/article/diff?url=" in str(link) for link in links)


def test_archived_payloads_are_shown_as_text(client: FlaskClient) -> None:
    for path in (f"/article?url={HOSTILE}", "/coverage", "/changes", "/"):
        body = client.get(path).text
        assert "<script>alert" not in body and "<img src=x" not in body
    page = client.get(f"/article?url={HOSTILE}").text
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page
    assert "onerror=alert(1)&gt;" in page
    data = client.get(f"/api/article?url={HOSTILE}").json
    assert data is not None
    assert data["record"]["title"] == PAYLOAD_TITLE and data["record"]["text"] == PAYLOAD_TEXT


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/coverage?since=yesterday", "since must be a date"),
        ("/coverage?since=2026-09-10&until=2026-09-01", "is before since"),
        ("/changes?kind=renamed", "kind must be one of edited, deleted"),
        ("/changes?site=example", "site must be one of"),
        ("/changes?page=0", "page must be a whole number"),
        ("/article", "give url="),
        (f"/article/diff?url={EDITED}&from=x", "from must be a whole number"),
        (f"/article/diff?url={EDITED}&from=2&to=2", "give two different versions"),
    ],
)
def test_a_bad_parameter_is_a_400_with_one_line(
    client: FlaskClient, path: str, message: str
) -> None:
    page = client.get(path)
    assert page.status_code == 400
    assert message in page.text and "Traceback" not in page.text
    twin = client.get(
        "/api" + path
        if not path.startswith("/article/diff")
        else path.replace("/article/diff", "/api/article/diff")
    )
    if twin.status_code != 404:  # /api/coverage etc. exist; their errors are JSON
        assert twin.status_code == 400 and message in twin.json["error"]  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        "/article?url=https://www.globaltimes.cn/page/202609/9999999.shtml",
        "/article?url=https://example.org/",
        "/api/article?url=https://example.org/",
        f"/api/record?url={EDITED}&version=7",
        f"/article/diff?url={EDITED}&from=1&to=5",
        "/static/../pyproject.toml",
        "/static/..%2f..%2fpyproject.toml",
        "/nothing-here",
    ],
)
def test_unknown_things_are_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.text
    assert response.headers["Content-Security-Policy"] == CSP


def test_the_server_only_reads(client: FlaskClient) -> None:
    for method in (client.post, client.put, client.delete):
        assert method("/").status_code == 405
        assert method(f"/api/record?url={EDITED}").status_code == 405


def test_a_missing_index_is_a_503_saying_what_to_do(tmp_path: Path) -> None:
    client = create_app(tmp_path).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "archiver index rebuild" in response.text
    twin = client.get("/api/overview")
    assert twin.status_code == 503 and "archiver index rebuild" in twin.json["error"]  # type: ignore[index]


def test_coverage_shows_days_without_articles_and_runs(client: FlaskClient) -> None:
    data = client.get("/api/coverage?since=2026-09-20&until=2026-09-27").json
    assert data is not None
    assert data["per_day"]["labels"][0] == "2026-09-20" and len(data["per_day"]["labels"]) == 8
    gt = data["per_day"]["gaps"]["globaltimes"]
    assert {"from": "2026-09-20", "to": "2026-09-25", "days": 6} in gt
    sections = data["sections"]["chinadaily"]
    assert {d["label"] for d in sections["datasets"]} == {"北京", "<img src=x onerror=alert(3)>"}
    assert [r["verdict"] for r in data["runs"]] == ["failed", "ok"]
    assert data["fill_rates"]["globaltimes"]["datasets"][0]["label"] == "authors"
    page = client.get("/coverage?since=2026-09-20&until=2026-09-27").text
    assert "2026-09-20 to 2026-09-25 (6 days)" in page
    assert "<img src=x" not in page


def test_without_replay_the_pages_say_how_to_set_it_up(
    root: Path, location: IndexLocation | None
) -> None:
    app = create_app(root, location)
    client = app.test_client()
    page = client.get(f"/article?url={EDITED}").text
    assert "archiver replay --setup" in page
    assert "/archive/2026" not in page
    data = client.get(f"/api/article?url={EDITED}").json
    assert data is not None and {c["replay"] for c in data["captures"]} == {None}
    app.extensions["archiver"].connections.close()


def test_templates_use_only_packaged_scripts_and_styles() -> None:
    package = Path(__file__).resolve().parents[2] / "archiver" / "explore"
    for template in (package / "templates").iterdir():
        text = template.read_text(encoding="utf-8")
        for name in re.findall(r"url_for\('static', filename='([^']+)'\)", text):
            assert (package / "static" / name).is_file(), (template.name, name)
        resources = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", text)
        for tag in resources:
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", tag), (template.name, tag)
    for style in (package / "static").glob("*.css"):
        assert "url(" not in style.read_text(encoding="utf-8")
    assert (package / "static" / "chart.js-LICENSE.md").is_file()
    pyproject = (package.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"explore/templates/*", "explore/static/*"' in pyproject


def test_search_in_english_marks_the_words_found(client: FlaskClient) -> None:
    data = client.get("/api/search?q=bookings").json
    assert data is not None and data["total"] == 1
    (hit,) = data["results"]
    assert hit["url"] == EDITED and hit["title"].startswith("Autumn travel bookings")
    assert set(hit) >= {"url", "title", "site", "published_at", "snippet"}
    assert "Bookings" in hit["snippet"]
    page = client.get("/search?q=bookings").text
    assert "<mark>Bookings</mark>" in page and f"/article?url={EDITED}" in page.replace(
        "%3A", ":"
    ).replace("%2F", "/")


def test_search_in_chinese_by_any_substring(client: FlaskClient) -> None:
    data = client.get("/api/search?q=自行车&language=zh").json
    assert data is not None and [r["url"] for r in data["results"]] == [CHINESE]
    assert "<mark>自行车</mark>" in client.get("/search?q=自行车").text


def test_search_filters_phrases_and_paging(client: FlaskClient) -> None:
    assert client.get('/api/search?q="National Day"').json["total"] == 1  # type: ignore[index]
    assert client.get('/api/search?q="Day National"').json["total"] == 0  # type: ignore[index]
    assert client.get("/api/search?q=bookings&site=chinadaily").json["total"] == 0  # type: ignore[index]
    everything = client.get("/api/search").json
    assert everything is not None and everything["total"] == 4
    second = client.get("/api/search?page=2").json
    assert second is not None and second["results"] == []
    hostile = client.get("/search?q=markets").text
    assert "&lt;script&gt;" in hostile and "<script>alert" not in hostile


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=" + "x" * 600, "longer than 500"),
        ("q=a*", "a prefix needs 2 or more letters"),
        ("q=%22", "the query has no words to search for"),
        ("order=random", "order must be one of"),
        ("since=someday", "since must be a date"),
        ("language=fr", "language must be one of"),
    ],
)
def test_a_bad_search_is_a_400(client: FlaskClient, query: str, message: str) -> None:
    for path in ("/search", "/api/search"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and message in response.text

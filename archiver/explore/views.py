"""The explorer's pages and their JSON twins (/api/...): each page's data is made once, then
rendered as HTML or served as JSON."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any, get_args

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from archiver.explore import article as articles
from archiver.explore import overview as summary
from archiver.explore import params
from archiver.explore.app import db, explorer
from archiver.offline.selection import day_start
from archiver.store.index import explore as q

pages = Blueprint("pages", __name__)
article_pages = Blueprint("articles", __name__)

CHANGES_PER_PAGE = 50
MAX_CHANGES_PAGE = 2000  # a page reads up to page × 50 rows of each kind
KINDS = ("edited", "deleted")


def _twin(template: str, data: dict[str, Any], **extra: Any) -> Response | str:
    """The page, or its data as JSON when the path is under /api/."""
    if request.path.startswith("/api/"):
        return jsonify(data)
    return render_template(template, data=data, **extra)


@pages.route("/")
@pages.route("/api/overview", endpoint="api_overview")
def overview() -> Response | str:
    conn = db()
    data = summary.overview(
        conn, explorer().runs, lambda change: articles.change_summary(conn, explorer(), change)
    )
    return _twin("overview.html", data)


@pages.route("/coverage")
@pages.route("/api/coverage", endpoint="api_coverage")
def coverage() -> Response | str:
    since, until = params.day("since"), params.day("until")
    try:
        data = summary.coverage(db(), explorer().runs, since, until)
    except ValueError as exc:
        abort(400, str(exc))
    return _twin("coverage.html", data)


def _changes_data(limit: int = CHANGES_PER_PAGE) -> dict[str, Any]:
    kind, site, since = params.choice("kind", KINDS), params.site(), params.day("since")
    page = params.number("page", 1, high=MAX_CHANGES_PAGE)
    start = day_start(since).isoformat() if since else ""
    conn = db()
    total, found = q.changes(conn, kind, site, start, limit, (page - 1) * limit)
    items = [
        {
            **asdict(change),
            "summary": articles.change_summary(conn, explorer(), change),
        }
        for change in found
    ]
    return {
        "total": total,
        "page": page,
        "per_page": limit,
        "filters": {"kind": kind, "site": site, "since": since.isoformat() if since else None},
        "changes": items,
    }


@pages.route("/changes")
@pages.route("/api/changes", endpoint="api_changes")
def changes() -> Response | str:
    return _twin("changes.html", _changes_data(), kinds=KINDS)


@pages.route("/changes.atom")
def changes_feed() -> Response:
    data = _changes_data()
    updated = data["changes"][0]["at"] if data["changes"] else datetime.now(UTC).isoformat()
    body = render_template("changes.atom.xml", data=data, updated=updated, self_url=request.url)
    return Response(body, mimetype="application/atom+xml")


@article_pages.route("/article")
@article_pages.route("/api/article", endpoint="api_article")
def article() -> Response | str:
    view = articles.article_view(db(), explorer(), params.required("url"))
    if request.path.startswith("/api/"):
        return jsonify(view.to_json())
    return render_template("article.html", view=view)


@article_pages.route("/article/diff")
@article_pages.route("/api/article/diff", endpoint="api_diff")
def diff() -> Response | str:
    url = params.required("url")
    old = params.number("from", 0, low=0) or None
    new = params.number("to", 0, low=0) or None
    view = articles.diff_view(db(), explorer(), url, old, new)
    if request.path.startswith("/api/"):
        return jsonify(view.to_json())
    return render_template("diff.html", view=view)


@article_pages.route("/api/record")
def record() -> Response:
    """One version's JSON record (default: the latest), as a download."""
    conn = db()
    row = articles.find(conn, params.required("url"))
    version = params.number("version", row.version)
    _, line = articles.version_record(conn, explorer(), row, version)
    name = f"{row.site}-{row.article_id}-v{version}.json"
    return Response(
        line + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def page_url(page: int) -> str:
    """This page's URL with page=`page` and every other parameter kept."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    return url_for(str(request.endpoint), **args, page=page)


ORDERS = ("newest", "relevance")
PER_PAGE = 20


def _search_data() -> dict[str, Any]:
    from archiver.record import Kind, Language
    from archiver.store.index.search import BadQuery, SearchQuery, SearchUnavailable, search

    query = params.text("q")
    filters: dict[str, Any] = {
        "site": params.site(),
        "section": params.text("section") or None,
        "language": params.choice("language", get_args(Language)),
        "kind": params.choice("kind", get_args(Kind)),
        "since": params.day("since"),
        "until": params.day("until"),
        "order": params.choice("order", ORDERS) or "newest",
    }
    page = params.number("page", 1, high=10_000)
    data: dict[str, Any] = {"query": query, "total": 0, "page": page, "per_page": PER_PAGE}
    data["filters"] = {k: v.isoformat() if isinstance(v, date) else v for k, v in filters.items()}
    data["hits"] = []
    try:
        found = search(db(), SearchQuery(query, **filters, page=page, per_page=PER_PAGE))
    except BadQuery as exc:
        abort(400, str(exc))
    except SearchUnavailable as exc:
        abort(503, str(exc))
    data["total"] = found.total
    data["hits"] = [
        {
            "url": hit.url,
            "title": hit.title,
            "site": hit.site,
            "published_at": hit.published_at,
            "section": list(hit.section),
            "snippet": [{"text": part.text, "match": part.match} for part in hit.snippet],
            "snippet_text": hit.snippet_text,
        }
        for hit in found.hits
    ]
    return data


@article_pages.route("/search")
@article_pages.route("/api/search", endpoint="api_search")
def search() -> Response | str:
    data = _search_data()
    if request.path.startswith("/api/"):
        results = [
            {key: hit[key] for key in ("url", "title", "site", "published_at")}
            | {"snippet": hit["snippet_text"], "section": hit["section"]}
            for hit in data["hits"]
        ]
        return jsonify({"total": data["total"], "page": data["page"], "results": results})
    from archiver.record import Kind, Language

    return render_template(
        "search.html",
        data=data,
        languages=get_args(Language),
        record_kinds=get_args(Kind),
        orders=ORDERS,
    )

"""Dates, bylines and credits as the two sites print them."""

from __future__ import annotations

import pytest

from archiver.record import Author, DateCandidate
from archiver.sites.bylines import normal_case, parse_byline
from archiver.sites.common import split_credit
from archiver.sites.dates import choose_published, disagree, object_id_time, parse_datetime

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Updated: 2024-05-13 09:08", "2024-05-13T09:08:00+08:00"),
        ("2023-11-17 15:13\u3000", "2023-11-17T15:13:00+08:00"),
        ("2024-05-13", "2024-05-13T00:00:00+08:00"),
        ("Published: Feb 17, 2026 10:37 AM", "2026-02-17T10:37:00+08:00"),
        ("Published: Feb 17, 2026 12:05 AM", "2026-02-17T00:05:00+08:00"),
        ("Published: Feb 17, 2026 12:05 PM", "2026-02-17T12:05:00+08:00"),
        ("Published: 2017/11/11 0:58:39", "2017-11-11T00:58:39+08:00"),
        ("2019/11/28 21:23:40", "2019-11-28T21:23:40+08:00"),
        ("2569-05-17 20:43", "2026-05-17T20:43:00+08:00"),
        ("2569-05-17", "2026-05-17T00:00:00+08:00"),
        ("2026-09-25T07:48:03+08:00", "2026-09-25T07:48:03+08:00"),
        ("2026-09-24T23:48:03Z", "2026-09-25T07:48:03+08:00"),
        ("2015年3月12日 10:45", "2015-03-12T10:45:00+08:00"),
    ],
)
def test_parse_datetime(raw: str, iso: str) -> None:
    value = parse_datetime(raw)
    assert value is not None and value.isoformat() == iso


@pytest.mark.parametrize("raw", ["", "Updated:", "2024-13-45 10:00", "sometime last week"])
def test_parse_datetime_rejects(raw: str) -> None:
    assert parse_datetime(raw) is None


def test_object_id_time() -> None:
    value = object_id_time("WS664167f4a31082fc043c6af7")
    assert value is not None and value.isoformat() == "2024-05-13T09:08:04+08:00"
    assert object_id_time("content_30012345") is None


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        (
            "By AN BAIJIE in Moscow and LI XIAOKUN in Beijing",
            [
                Author(name="An Baijie", location="Moscow"),
                Author(name="Li Xiaokun", location="Beijing"),
            ],
        ),
        ("By Wang Xiaoyu", [Author(name="Wang Xiaoyu")]),
        ("By Leng Shumei and Liu Xin", [Author(name="Leng Shumei"), Author(name="Liu Xin")]),
        (
            "By ZHAO HUANXIN in Washington, DC",
            [Author(name="Zhao Huanxin", location="Washington, DC")],
        ),
        ("By Xinhua", []),
        ("By GT staff reporters", []),
        ("", []),
    ],
)
def test_parse_byline(byline: str, authors: list[Author]) -> None:
    assert parse_byline(byline) == authors


def test_normal_case_keeps_mixed_case() -> None:
    assert normal_case("Mo Jingxi") == "Mo Jingxi"
    assert normal_case("MO JINGXI") == "Mo Jingxi"


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            "Joggers run in December.\u00a0LIU CHAOFU/FOR CHINA DAILY",
            ("Joggers run in December.", "LIU CHAOFU/FOR CHINA DAILY"),
        ),
        (
            "Trees in Chongqing. [Photo by Su Zhigang/For chinadaily.com.cn]",
            ("Trees in Chongqing.", "Photo by Su Zhigang/For chinadaily.com.cn"),
        ),
        ("Leaders meet. [Photo/Agencies]", ("Leaders meet.", "Photo/Agencies")),
        ("Fans cheer in Doha. Photo: AFP", ("Fans cheer in Doha.", "AFP")),
        ("Photo: VCG", (None, "VCG")),
        ("Bikes in Beijing. Photo: Li Hao/GT", ("Bikes in Beijing.", "Li Hao/GT")),
        ("A caption with no credit in the US.", ("A caption with no credit in the US.", None)),
    ],
)
def test_split_credit(caption: str, expected: tuple[str | None, str | None]) -> None:
    assert split_credit(caption) == expected


def _c(source: str, raw: str) -> DateCandidate:
    return DateCandidate(source=source, raw=raw, value=parse_datetime(raw))


PRIORITY = ("byline", "article-id", "list", "url")


def test_choose_published_prefers_a_time_over_a_day() -> None:
    cands = [_c("url", "2024-05-13"), _c("list", "2024-05-13 09:10"), _c("byline", "2024-05-13")]
    chosen = choose_published(cands, PRIORITY)
    assert chosen is not None and chosen.source == "list"


def test_choose_published_distrusts_dates_far_from_the_url_day() -> None:
    cands = [_c("byline", "Updated: 2024-11-06 18:20"), _c("list", "2024-11-02 11:19")]
    cands.append(_c("url", "2024-11-02"))
    chosen = choose_published(cands, PRIORITY)
    assert chosen is not None and chosen.source == "list"
    assert disagree(cands)


def test_choose_published_never_takes_an_update_time() -> None:
    assert choose_published([_c("byline:updated", "2024-11-06 18:20")], PRIORITY) is None


def test_candidates_a_day_apart_agree() -> None:
    # Written before midnight, the URL carries the next day.
    assert not disagree([_c("byline", "2024-05-12 23:50"), _c("url", "2024-05-13")])
    assert disagree([_c("byline", "2024-05-10 23:50"), _c("url", "2024-05-13")])


def test_buddhist_era_candidates_agree_once_corrected() -> None:
    assert not disagree([_c("byline", "Updated: 2569-05-17 20:43"), _c("url", "2026-05-17")])

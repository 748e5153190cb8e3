"""Page requisites the mirror serves: placeholder pictures and stand-in stylesheets.

A few article pages get their body picture and one stylesheet served, for requisite fetching and
replay tests; every other requisite a page links answers 404, as an unarchived link would.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tools.mirror.chinadaily.text import CD_SOCIETY
from tools.mirror.globaltimes.text import GT_TOURISM
from tools.mirror.markup import Files, site_path


def tiny_jpeg(width: int, height: int, gray: int, comment: str) -> bytes:
    """A valid baseline JPEG of one uniform gray level, with `comment` in a COM segment.

    Hand-encoded (no image library, so the bytes never depend on a library version): every
    8x8 block has only a DC coefficient; the first block codes it, the rest repeat it.
    """
    if not (0 < width <= 256 and 0 < height <= 256 and 0 <= gray <= 255):
        raise ValueError("tiny_jpeg: size 1..256, gray 0..255")

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload

    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    dc = 8 * (gray - 128)  # F(0,0) of a uniform block, quantizer 1
    size = abs(dc).bit_length()
    bits = ""
    if size:
        # DC Huffman table: category 0 -> "0", category `size` -> "10"; AC: EOB -> "0".
        value = dc if dc > 0 else dc + (1 << size) - 1
        bits = "10" + format(value, f"0{size}b") + "0"
    else:
        bits = "00"
    bits += "00" * (blocks - 1)
    bits += "1" * (-len(bits) % 8)
    scan = bytearray()
    for i in range(0, len(bits), 8):
        byte = int(bits[i : i + 8], 2)
        scan += bytes((byte, 0)) if byte == 0xFF else bytes((byte,))
    dims = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    dc_symbols = bytes((0, size)) if size else bytes((0,))
    dc_counts = bytes((1, 1 if size else 0)) + bytes(14)
    return b"".join(
        (
            b"\xff\xd8",
            segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xFE, comment.encode("ascii")),
            segment(0xDB, b"\x00" + bytes([1] * 64)),
            segment(0xC0, b"\x08" + dims + b"\x01\x01\x11\x00"),
            segment(0xC4, b"\x00" + dc_counts + dc_symbols),
            segment(0xC4, b"\x10" + bytes((1,)) + bytes(15) + b"\x00"),
            segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            bytes(scan),
            b"\xff\xd9",
        )
    )


_JPEG_NOTE = "reconstructed for the archiver mirror: placeholder picture, not the real photo"
# Article pages whose body picture the mirror serves (as a placeholder): page URL -> picture.
REQUISITE_FIGURES: tuple[tuple[str, str, int], ...] = (
    (CD_SOCIETY.url, CD_SOCIETY.figure.src if CD_SOCIETY.figure else "", 150),
    (GT_TOURISM.url, GT_TOURISM.figure.src if GT_TOURISM.figure else "", 90),
)
# Stylesheets every page of the current article templates links (one of several each).
# (URL as the templates link it, query included; the mirror ignores the query; content)
REQUISITE_CSS: tuple[tuple[str, str], ...] = (
    (
        "https://img2.chinadaily.com.cn/static/2017www_china_page_en/css/r-content.css?var=79",
        "#Content figure.image img { max-width: 100%; height: auto; }\n"
        "#Content figcaption { color: #666; font-size: 14px; }\n",
    ),
    (
        "https://www.globaltimes.cn/css/article_n.css?v=20260901",
        ".article_right img { max-width: 100%; }\n"
        ".article_right p.picture { color: #666; font-size: 14px; text-align: center; }\n",
    ),
)


def requisite_url(src: str) -> str:
    """Absolute https URL of an <img src> as the page writes it (protocol-relative or not)."""
    return ("https:" + src) if src.startswith("//") else src


def requisite_files() -> Files:
    """The placeholder pictures and stylesheets, keyed by mirror-root path."""
    files: Files = {}
    for _page, src, gray in REQUISITE_FIGURES:
        files[site_path(requisite_url(src))] = tiny_jpeg(64, 48, gray, _JPEG_NOTE)
    for url, css in REQUISITE_CSS:
        note = "/* reconstructed for the archiver mirror: a stand-in for the real stylesheet */\n"
        files[site_path(url)] = (note + css).encode("ascii")
    return files


def manifest_entries() -> list[dict[str, str]]:
    """The manifest's `requisites`: each page with a served picture, and its stylesheet.

    The stylesheet is the one of REQUISITE_CSS on the page's site (its template links it).
    """
    out = []
    for page, src, _gray in REQUISITE_FIGURES:
        host = urlsplit(page).hostname or ""
        css = next(u for u, _ in REQUISITE_CSS if host.split(".", 1)[1] in u)
        out.append({"page": page, "url": requisite_url(src), "content_type": "image/jpeg"})
        out.append({"page": page, "url": css, "content_type": "text/css"})
    return out

"""A site redesign the parser misreads: the body container now holds a related-stories box."""

from __future__ import annotations

RELATED_BOX = (
    '<div id="Content"><p>Top stories</p>'
    "<p>Markets rally as trade talks resume in Geneva</p>"
    "<p>Rail link to the coast opens ahead of the holiday</p>"
    "<p>Museum of ceramics welcomes its millionth visitor</p></div>"
)


def redesigned(body: bytes) -> bytes:
    """China Daily markup after a (made-up) redesign: the article text moves to
    `<div id="story">` and `<div id="Content">`, where the parser reads the body, becomes a box
    of related headlines after it. A reader sees the same article; the parser reads the box."""
    assert body.count(b'<div id="Content">') == 1, "not a China Daily current-en page"
    moved = body.replace(b'<div id="Content">', b'<div id="story">')
    return moved.replace(b"</body>", RELATED_BOX.encode() + b"</body>", 1)

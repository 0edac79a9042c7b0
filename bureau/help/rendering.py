"""
Markdown → HTML for the help pages (markdown-it-py, CommonMark with tables).

Raw HTML in a help file is not passed through but shown as text (`html: False`), and CommonMark's
link validation refuses `javascript:` and `data:` links, so a help file cannot inject a script.
A file is parsed once and kept in memory until its modification time or size changes.
"""

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class RenderedHelp:
    title: str  # the text of the first level-1 heading, else ""
    html: str  # the body, without that first heading (the page shows it as its title)
    headings: tuple[Heading, ...]  # level 2 and 3: the table of contents


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def anchor_for(text: str, taken: set[str]) -> str:
    """A heading's id: its words joined by hyphens (Chinese kept), unique on the page (`…-2`)."""
    base = re.sub(r"[^\w\u4e00-\u9fff]+", "-", text.strip().lower()).strip("-") or "section"
    anchor, number = base, 1
    while anchor in taken:
        number += 1
        anchor = f"{base}-{number}"
    taken.add(anchor)
    return anchor


def render_markdown(text: str) -> RenderedHelp:
    """The page of one Markdown text: its title, its HTML with anchored headings and its table of contents."""
    parser = _parser()
    env: dict = {}
    tokens = parser.parse(text, env)
    title, headings, taken = "", [], set()
    drop: set[int] = set()
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        inline = tokens[index + 1]
        words = "".join(child.content for child in inline.children or () if child.type in ("text", "code_inline"))
        if level == 1 and not title:
            title = words
            drop |= {index, index + 1, index + 2}
            continue
        anchor = anchor_for(words, taken)
        token.attrSet("id", anchor)
        if level in (2, 3):
            headings.append(Heading(level, words, anchor))
    kept = [token for index, token in enumerate(tokens) if index not in drop]
    html = parser.renderer.render(kept, parser.options, env)
    return RenderedHelp(title=title, html=html, headings=tuple(headings))


_cache: dict[str, tuple[tuple[int, int], RenderedHelp]] = {}
_lock = threading.Lock()


def render_file(path: Path) -> RenderedHelp:
    """The rendered help file, parsed again only when the file changed (its mtime or size). OSError if unreadable."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = str(path)
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rendered = render_markdown(path.read_text(encoding="utf-8"))
    with _lock:
        _cache[key] = (stamp, rendered)
    return rendered

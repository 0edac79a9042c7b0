"""
The blocks of a printout read from the HTML of a page part: the person file's parts are templates the
areas declare (`AreaConfig.person_file`), and their printout is what those templates render, so an area
writes its part once. Headings (h2-h4) become headings, paragraphs and list items paragraphs, tables
tables (a caption above, the first row of header cells as the header; every row padded to the widest).
"""

from html.parser import HTMLParser

from bureau.printouts.document import Heading, Paragraph, Table

HEADINGS = {"h2", "h3", "h4"}
TEXT = {"p", "li", "dt", "dd", "caption", "div"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.text = []  # the text of the element being read
        self.rows = None  # the table being read: rows of (cells, all header cells)
        self.row = None
        self.caption = ""
        self.header_row = True

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._flush()
            self.rows, self.caption = [], ""
        elif tag == "tr" and self.rows is not None:
            self.row, self.header_row = [], True
        elif tag in ("td", "th") and self.row is not None:
            self.text = []
            self.header_row = self.header_row and tag == "th"
        elif tag in HEADINGS | TEXT or tag == "br":
            if tag == "br":
                self.text.append("\n")
            elif self.row is None:
                self._flush()

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row.append(self._take())
        elif tag == "tr" and self.row is not None:
            self.rows.append((self.row, self.header_row))
            self.row = None
        elif tag == "caption" and self.rows is not None:
            self.caption = self._take()
        elif tag == "table" and self.rows is not None:
            self._table()
        elif tag in HEADINGS and self.rows is None:
            text = self._take()
            if text:
                self.blocks.append(Heading(text, level=2))
        elif tag in TEXT and self.rows is None:
            self._flush(bullet=tag == "li")

    def handle_data(self, data):
        self.text.append(data)

    def _take(self) -> str:
        text = " ".join(" ".join(self.text).split())
        self.text = []
        return text

    def _flush(self, bullet: bool = False) -> None:
        text = self._take()
        if text:
            self.blocks.append(Paragraph(("· " if bullet else "") + text, kind="note"))

    def _table(self) -> None:
        rows, self.rows = self.rows, None
        if not rows:
            return
        width = max(len(cells) for cells, _ in rows)
        padded = [(cells + [""] * (width - len(cells)), header) for cells, header in rows]
        if padded[0][1]:
            header, body = padded[0][0], padded[1:]
        else:
            header, body = [""] * width, padded
        totals = [cells for cells, is_header in body if is_header]
        plain = [cells for cells, is_header in body if not is_header]
        self.blocks.append(Table(_columns(header), plain, caption=self.caption, totals=totals))


def _columns(header: list[str], width_mm: int = 225) -> list[tuple[str, int]]:
    """The header with widths filling the landscape text block: the first column wider, the rest shared."""
    if len(header) == 1:
        return [(header[0], width_mm)]
    first = min(40, max(24, width_mm // len(header)))
    rest = (width_mm - first) // (len(header) - 1)
    return [(header[0], first)] + [(title, rest) for title in header[1:]]


def blocks_from_html(html: str) -> list:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._flush()
    return reader.blocks

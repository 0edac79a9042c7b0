"""
What a printout says, apart from how Word lays it out: a title, a subtitle (the 文号 line, or the
period), blocks of text and tables, the signature block. An area's printout builds one of these
(`bureau.printouts.registry.Printout.build`); `bureau.printouts.render` writes it as Word (and PDF).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 黑体 「一、」; 2: 楷体 「（一）」


@dataclass(frozen=True)
class Paragraph:
    text: str
    #: "body": 3号 with the 2-character indent; "note": 4号 plain, flush left (a table's note, a form line).
    kind: str = "body"


@dataclass(frozen=True)
class Table:
    """A grid table: (header, width in mm) per column; `totals` are rows in bold (a subtotal, the total)."""

    columns: list[tuple[str, int]]
    rows: list[list[str]]
    caption: str = ""  # a line in 黑体 above the table (a township's name)
    totals: list[list[str]] = field(default_factory=list)
    #: "list": 小四 (12 pt) for a list of many rows and columns; "table": 4号 as the report's tables.
    size: str = "list"

    @property
    def width(self) -> int:
        return sum(width for _, width in self.columns)


@dataclass(frozen=True)
class FormLines:
    """Lines for hand-filling under a table: 「制表人：　　　　审核人：　　　　日期：」."""

    labels: tuple[str, ...] = ("制表人", "审核人", "日期")


Block = Heading | Paragraph | Table | FormLines


@dataclass
class Printable:
    """
    One printout. `subject` is the record it prints (named by the download's audit event), `rows` the
    number of personal lines it holds and `unmasked` whether any whole ID number is among them (both for
    the export log).
    """

    title: str
    filename: str  # without the extension: 「发放花名册-2021-03」
    blocks: list[Block] = field(default_factory=list)
    subtitle: str = ""
    signature: tuple[str, ...] = ()  # the signing body, right-aligned above the date
    signed_on: datetime.date | None = None
    landscape: bool = False
    subject: object = None
    rows: int = 0
    unmasked: bool = False

    def add(self, *blocks: Block) -> "Printable":
        self.blocks.extend(blocks)
        return self


def money(amount) -> str:
    """An amount of yuan with two decimals: 1234.5 → 「1234.50」."""
    return f"{Decimal(amount or 0).quantize(Decimal('0.01')):f}"


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"

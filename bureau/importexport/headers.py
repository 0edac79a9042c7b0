"""
Rosters as they come: the header row of an uploaded sheet found below title rows and merged
cells, its cells matched to the import's columns by name, by a common alias or by a mapping a
clerk saved (`ImportColumnMapping`), and what is left over reported as ignored.

- `normalize`: headers are compared without spaces (inside too: 「姓  名」), with full-width
  brackets, letters and digits made half-width (NFKC): 「乡镇(街道)」 is 「乡镇（街道）」.
- `CORE_ALIASES`: the common names of the kit's columns; a resource adds its own with the class
  attribute `column_aliases = {"企业名称": ["单位名称", "企业全称"]}` (column → aliases).
- `find_header`: among the first HEADER_SEARCH_ROWS rows, the one naming the most of the import's
  columns is the header (the earliest on a tie); rows above it are skipped.
"""

import re
import unicodedata
from dataclasses import dataclass, field

# The header row is looked for among the first rows of the sheet.
HEADER_SEARCH_ROWS = 10

# Column name (as the kit's resources name it) -> the names offices write instead.
CORE_ALIASES = {
    "姓名": ["名字", "人员姓名", "退役军人姓名"],
    "身份证号": ["身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码", "身份证件号码", "身份证件号"],
    "联系电话": ["联系方式", "手机号", "手机号码", "电话", "电话号码", "手机", "联系电话号码"],
    "乡镇（街道）": [
        "所在乡镇",
        "乡镇",
        "街道",
        "所在乡镇（街道）",
        "乡镇街道",
        "所在街道",
        "所属乡镇",
        "所属乡镇（街道）",
    ],
    "所在乡镇（街道）": ["所在乡镇", "乡镇", "街道", "乡镇（街道）", "乡镇街道", "所在街道", "所属乡镇"],
    "性别": ["性 别"],
    "住址": ["家庭住址", "现住址", "居住地址", "家庭地址", "地址", "现居住地址"],
    "出生日期": ["出生年月", "出生时间"],
    "入伍日期": ["入伍时间", "入伍年月"],
    "退役日期": ["退役时间", "退伍时间", "退伍日期", "退役年月"],
    "军种": ["服役军种"],
    "安置方式": ["退役安置方式"],
    "统一社会信用代码": ["社会信用代码", "信用代码"],
    "银行账号": ["银行卡号", "卡号", "账号", "银行账户"],
    "开户银行": ["开户行"],
    "户名": ["账户名", "开户名", "账户名称"],
}

# Headers that number the rows: ignored without offering to map them.
ROW_NUMBER_HEADERS = {"序号", "编号", "序", "no", "no.", "number"}


def normalize(text) -> str:
    """A header as compared: NFKC (half-width brackets, digits, letters), no spaces, lower case."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def shown(text) -> str:
    """A header as the preview shows it: spaces inside collapsed, none around."""
    return re.sub(r"\s+", " ", "" if text is None else str(text)).strip()


class ColumnNames:
    """The import's columns and the names that mean them: exact, alias, saved mapping (in that order)."""

    def __init__(self, columns, aliases=None, saved=None):
        self.columns = list(columns)
        self.exact = {normalize(column): column for column in self.columns}
        self.alias = {}
        for column, names in (aliases or {}).items():
            if column in self.columns:
                for name in names:
                    self.alias.setdefault(normalize(name), column)
        self.saved = {normalize(source): target for source, target in (saved or {}).items() if target in self.columns}

    def column_of(self, header) -> tuple[str | None, str]:
        """(column, how): how is "exact", "alias", "saved" or "" (not a column of the import)."""
        key = normalize(header)
        if not key:
            return None, ""
        if key in self.exact:
            return self.exact[key], "exact"
        if key in self.saved:
            return self.saved[key], "saved"
        if key in self.alias:
            return self.alias[key], "alias"
        return None, ""


@dataclass
class HeaderMatch:
    """The header row found (`row`, 0-based in the sheet) and what each of its cells is."""

    row: int
    columns: list = field(default_factory=list)  # per cell: the import's column, or None
    ignored: list = field(default_factory=list)  # headers not used, as shown
    unknown: list = field(default_factory=list)  # of those, the ones a clerk may map (not 序号)
    aliased: list = field(default_factory=list)  # [header, column] recognised by a common alias
    mapped: list = field(default_factory=list)  # [header, column] by a saved mapping

    @property
    def found(self) -> list:
        return [column for column in self.columns if column]

    @property
    def excel_row(self) -> int:
        return self.row + 1

    def report(self, import_columns) -> dict:
        """What the job keeps for its preview (JSON)."""
        found = set(self.found)
        return {
            "header_row": self.excel_row,
            "ignored": self.ignored,
            "unknown": self.unknown,
            "aliased": self.aliased,
            "mapped": self.mapped,
            # The import's columns the file lacks: what an unknown header may be mapped to.
            "targets": [column for column in import_columns if column not in found],
        }


def match_row(cells, names: ColumnNames, row: int) -> HeaderMatch:
    """One row read as the header: each cell's column; a second cell naming a column already taken is ignored."""
    match = HeaderMatch(row=row)
    taken = set()
    for cell in cells:
        column, how = names.column_of(cell)
        if column is not None and column in taken:
            column = None
        if column is None:
            match.columns.append(None)
            if header := shown(cell):
                match.ignored.append(header)
                if normalize(cell) not in ROW_NUMBER_HEADERS:
                    match.unknown.append(header)
            continue
        taken.add(column)
        match.columns.append(column)
        if how == "alias":
            match.aliased.append([shown(cell), column])
        elif how == "saved":
            match.mapped.append([shown(cell), column])
    return match


def find_header(rows, names: ColumnNames) -> HeaderMatch | None:
    """The row among the first HEADER_SEARCH_ROWS naming the most columns; None when none names any."""
    best = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        match = match_row(cells, names, index)
        if match.found and (best is None or len(match.found) > len(best.found)):
            best = match
    return best

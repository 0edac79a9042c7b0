"""
The columns of an uploaded sheet, read by the resource before its rows (`HeaderRowMixin`): the
header row found below title rows (bureau.importexport.headers), the sheet narrowed to the
import's columns under their own names, Excel's row numbers kept, and a report of the columns
recognised, mapped and ignored that the import job's preview shows.
"""

from bureau.importexport.formats import HEADER_ROWS, unescape_formula
from bureau.importexport.headers import CORE_ALIASES, HEADER_SEARCH_ROWS, ColumnNames, find_header
from bureau.models import ImportColumnMapping

NO_HEADER_MESSAGE = (
    "未找到表头：表格前 {rows} 行中没有一行含有本导入的列名（如 {columns}）。"
    "请使用“下载导入模板”得到的表格填写，或确认第一个工作表就是要导入的名单。"
)


class HeaderRowMixin:
    """
    For `PortalResource`: `before_import` finds the header row and narrows the dataset to the
    import's columns; `excel_row(n)` is the Excel row of data row n (counted from 1 below the
    header). A resource adds aliases of its own columns with `column_aliases`.
    """

    # Column name -> more names offices write for it (added to headers.CORE_ALIASES).
    column_aliases: dict = {}
    # The Excel row of the header; set by `before_import`.
    header_row = HEADER_ROWS
    header_report: dict | None = None

    def excel_row(self, row_number: int) -> int:
        """Excel row of import-export's 1-based data row number, below the header row found."""
        return row_number + self.header_row

    def model_label(self) -> str:
        return self._meta.model._meta.label_lower

    def column_names(self) -> ColumnNames:
        """Every column of the resource (read-only ones too, as an export has them), with aliases and saved mappings."""
        columns = [field.column_name for field in self.fields.values()]
        aliases = {column: list(names) for column, names in CORE_ALIASES.items()}
        for column, names in self.column_aliases.items():
            aliases[column] = [*names, *aliases.get(column, [])]
        saved = dict(
            ImportColumnMapping.objects.filter(model=self.model_label()).values_list("source_header", "target_column")
        )
        return ColumnNames(columns, aliases, saved)

    def required_columns(self) -> list[str]:
        return [self.fields[key].column_name for key in self.get_import_id_fields() if key in self.fields]

    def before_import(self, dataset, **kwargs):
        rows = [list(dataset.headers or []), *(list(row) for row in dataset)]
        names = self.column_names()
        match = find_header(rows, names)
        self.header_report = None
        if match is None:
            self.header_row = HEADER_ROWS
            self.file_problem = True
            import_columns = [field.column_name for field in self.import_columns()]
            examples = "、".join(list(dict.fromkeys([*self.required_columns(), *import_columns]))[:3])
            raise ValueError(NO_HEADER_MESSAGE.format(rows=HEADER_SEARCH_ROWS, columns=examples))
        self.header_row = match.excel_row
        import_columns = [field.column_name for field in self.import_columns()]
        self.header_report = match.report(import_columns)
        missing = [column for column in self.required_columns() if column not in match.found]
        if missing:
            self.file_problem = True
            problems = f"缺少必需的列：{'、'.join(missing)}（第 {match.excel_row} 行的表头中没有）"
            if match.unknown:
                problems += f"；无法识别的列：{'、'.join(match.unknown)}。可在下方为无法识别的列指定对应的列后重新校验"
            raise ValueError(problems + "。请使用“下载导入模板”得到的表格填写，或改正表头后重新上传。")
        kept = [(index, column) for index, column in enumerate(match.columns) if column]
        body = rows[match.row + 1 :]
        dataset.wipe()
        dataset.headers = [column for _, column in kept]
        for row in body:
            dataset.append([row[index] if index < len(row) else None for index, _ in kept])
        for field in self.get_import_fields():
            if hasattr(field.widget, "preload") and field.column_name in dataset.headers:
                field.widget.preload([unescape_formula(value) for value in dataset[field.column_name]])

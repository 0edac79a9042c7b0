"""`manage.py annual_report`: write the annual report as Word or Excel, synchronously."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bureau.models import Township
from reports.compose import compose_report
from reports.finals import figures_changed, latest_final
from reports.services import RENDERERS, report_years


class Command(BaseCommand):
    help = "生成年度“六稳六保”工作情况汇报（Word 或 Excel），全区或单个乡镇（街道）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="报告年度，如 2021。")
        parser.add_argument("--township", help="乡镇（街道）代码；不填则为全区。")
        parser.add_argument(
            "--format",
            dest="file_format",
            help="docx（Word）或 xlsx（Excel）；不填则按输出文件的扩展名判断。",
        )
        parser.add_argument("--output", required=True, help="输出文件路径，所在目录须已存在。")

    def handle(self, *args, year, township, file_format, output, **options):
        self._check_year(year)
        township_obj = self._township(township)
        output_path = Path(output)
        kind = self._format(file_format, output_path)
        if not output_path.parent.is_dir():
            raise CommandError(f"输出目录“{output_path.parent}”不存在。")

        document = compose_report(year=year, township=township_obj)
        final = latest_final(year) if township_obj is None else None
        if final is not None:
            document.final_changes = figures_changed(year=year, document=document, final=final)
        output_path.write_bytes(RENDERERS[kind](document))

        for warning in document.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            self.style.SUCCESS(f"已生成 {output_path}（{document.title}，数据缺项 {len(document.gaps)} 项）。")
        )
        if final is not None:
            self._say_changes(final, document.final_changes)

    def _say_changes(self, final, changes) -> None:
        """A finalised year: the figures changed since its latest final version, or that none did."""
        if not changes:
            self.stdout.write(f"与定稿版本（第{final.version}版）一致。")
            return
        self.stdout.write(f"与定稿版本（第{final.version}版）相比，以下数字已变化：")
        for change in changes:
            self.stdout.write(f"  {change}")

    def _check_year(self, year: int) -> None:
        # The same years the portal's request form offers.
        years = report_years()
        if year not in years:
            raise CommandError(f"年度 {year} 超出范围，应在 {min(years)} 至 {max(years)} 之间。")

    def _township(self, code: str | None) -> Township | None:
        if not code:
            return None
        try:
            return Township.objects.get(code=code)
        except Township.DoesNotExist:
            known = "、".join(Township.objects.values_list("code", flat=True)) or "无"
            raise CommandError(f"没有代码为“{code}”的乡镇（街道）。现有代码：{known}。") from None

    def _format(self, file_format: str | None, output: Path) -> str:
        kind = (file_format or output.suffix.removeprefix(".")).lower()
        if kind not in RENDERERS:
            supported = " 或 ".join(RENDERERS)
            raise CommandError(f"不支持的格式“{file_format or output.suffix}”，请用 {supported}。")
        return kind

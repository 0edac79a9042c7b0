"""`manage.py backup --output PATH`: the database, MEDIA_ROOT and PRIVATE_ROOT in one archive (bureau.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bureau.backups import VENDOR_NAMES, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "把数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）、上传文件（MEDIA_ROOT）和私有文件（PRIVATE_ROOT）"
        "备份为一个归档文件，内含带校验值的清单 manifest.json。恢复用 manage.py restore；步骤见 docs/operations.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            required=True,
            help="备份文件路径，以 .tar.gz（压缩）或 .tar 结尾；所在目录须已存在，不覆盖已有文件。",
        )

    def handle(self, *args, output, **options):
        try:
            manifest = backup_create(output=Path(output))
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = sum(member.size for member in manifest.members.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {output}：{VENDOR_NAMES[manifest.vendor]} 数据库和 {len(manifest.file_members)} 个文件，"
                f"共 {size_text(size)}（未压缩），清单含每项的 SHA-256 校验值。"
            )
        )


def size_text(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""

"""`manage.py restore --input PATH`: an archive of `manage.py backup` into an empty database (bureau.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bureau.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "从 manage.py backup 生成的备份文件恢复数据库、上传文件和私有文件。先核对清单中的全部校验值，"
        "只恢复到空数据库和空的文件目录，不覆盖任何现有数据；程序比备份新时随后执行 migrate。步骤见 docs/operations.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="manage.py backup 生成的备份文件（.tar.gz 或 .tar）。")

    def handle(self, *args, input, **options):  # noqa: A002 - the option's name
        try:
            backup_restore(archive=Path(input), say=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("恢复完成。"))

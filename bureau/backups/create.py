"""Writing an archive: `backup_create`, and the scheduled backups with their retention."""

import datetime
import hashlib
import io
import os
import re
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bureau.backups.databases import dump_postgresql, dump_sqlite, migration_state
from bureau.backups.manifest import DATABASE_MEMBERS, FILE_ROOTS, MANIFEST_NAME, BackupError, Manifest, Member

# What the scheduled backups are called; retention deletes nothing else in BACKUP_DIR.
SCHEDULED_NAME = re.compile(r"^portal-\d{8}-\d{6}\.tar\.gz$")
# The hidden temporary files of a scheduled backup (see backup_create).
SCHEDULED_PARTIAL = re.compile(r"^\.portal-\d{8}-\d{6}\.tar\.gz(\.database)?\.partial$")


def backup_create(*, output: Path) -> Manifest:
    """
    Write one archive of the database and the files to `output` (.tar.gz, .tgz or .tar).

    The archive is written to a hidden temporary file beside `output` and renamed at the end, so a
    failed or interrupted backup never leaves a partial archive under the final name. The archive is
    readable by its owner only: it holds whole ID numbers and bank accounts.
    """
    output = Path(output)
    mode = _write_mode(output)
    if not output.parent.is_dir():
        raise BackupError(f"输出目录“{output.parent}”不存在，请先创建它。")
    if output.exists():
        raise BackupError(f"“{output}”已存在，备份不会覆盖已有文件，请换一个文件名。")
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"不支持备份 {vendor} 数据库，只支持 PostgreSQL 和 SQLite。")

    partial = output.with_name(f".{output.name}.partial")
    dump = output.with_name(f".{output.name}.database.partial")
    try:
        migrations = migration_state()
        tool = dump_postgresql(dump) if vendor == "postgresql" else dump_sqlite(dump)
        members: dict[str, Member] = {}
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode=mode, format=tarfile.PAX_FORMAT, **_compression(mode)) as tar:
                members[DATABASE_MEMBERS[vendor]] = _add_file(tar, DATABASE_MEMBERS[vendor], dump)
                for name, path in _files_to_back_up():
                    try:
                        members[name] = _add_file(tar, name, path)
                    except FileNotFoundError:
                        continue  # deleted since it was listed (an expired export): not part of this backup
                manifest = Manifest(
                    created_at=timezone.localtime().isoformat(timespec="seconds"),
                    vendor=vendor,
                    database_tool=tool,
                    migrations=migrations,
                    members=members,
                )
                _add_bytes(tar, MANIFEST_NAME, manifest.to_json())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    except OSError as error:
        raise BackupError(f"写入备份失败，未生成备份文件：{error}") from None
    finally:
        partial.unlink(missing_ok=True)
        dump.unlink(missing_ok=True)
    return manifest


def backup_scheduled(*, now: datetime.datetime | None = None) -> Path | None:
    """
    The beat task's backup: `portal-YYYYmmdd-HHMMSS.tar.gz` into BACKUP_DIR, then only the BACKUP_KEEP
    newest scheduled archives kept. Nothing when BACKUP_DIR is unset.
    """
    if not settings.BACKUP_DIR:
        return None
    directory = Path(settings.BACKUP_DIR)
    output = directory / f"portal-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    backup_create(output=output)
    backups_prune(directory=directory, keep=settings.BACKUP_KEEP)
    return output


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """
    Delete the scheduled archives (`portal-YYYYmmdd-HHMMSS.tar.gz`) of `directory` beyond the `keep`
    newest, and temporary files of backups interrupted more than a day ago; nothing else is touched.
    """
    if keep < 1:
        raise BackupError(f"BACKUP_KEEP 须至少为 1（现为 {keep}）。")
    archives = sorted(path for path in directory.iterdir() if SCHEDULED_NAME.match(path.name))
    deleted = archives[:-keep]
    # A worker killed mid-backup leaves its hidden temporary files; a running backup's are recent.
    day_ago = time.time() - 24 * 3600
    deleted += [
        path for path in directory.iterdir() if SCHEDULED_PARTIAL.match(path.name) and path.stat().st_mtime < day_ago
    ]
    for path in deleted:
        path.unlink(missing_ok=True)
    return deleted


def _write_mode(output: Path) -> str:
    name = output.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "w:gz"
    if name.endswith(".tar"):
        return "w"
    raise BackupError(f"备份文件名“{output.name}”须以 .tar.gz（压缩）或 .tar 结尾。")


def _compression(mode: str) -> dict:
    # Level 6: most of level 9's size at a fraction of its time; pg_dump's custom format is compressed already.
    return {"compresslevel": 6} if mode == "w:gz" else {}


def _files_to_back_up() -> Iterator[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT and PRIVATE_ROOT, in a stable order; symbolic links are not followed."""
    for folder, setting in FILE_ROOTS.items():
        root = Path(getattr(settings, setting))
        if not root.is_dir():
            continue
        for directory, subdirectories, files in os.walk(root):
            subdirectories.sort()
            for file_name in sorted(files):
                path = Path(directory) / file_name
                if path.is_file() and not path.is_symlink():
                    yield f"{folder}/{path.relative_to(root).as_posix()}", path


class _HashingReader:
    """Hands tarfile the file's bytes and hashes exactly those."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> Member:
    with path.open("rb") as file:
        status = os.fstat(file.fileno())
        info = tarfile.TarInfo(name)
        info.size = status.st_size
        info.mtime = int(status.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(file)
        tar.addfile(info, reader)
    return Member(sha256=reader.digest.hexdigest(), size=info.size)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))

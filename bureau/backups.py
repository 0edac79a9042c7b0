"""
Backups: one archive holding the database, the uploaded files (MEDIA_ROOT) and the private folder
(PRIVATE_ROOT), with a manifest of checksums; and the restore of such an archive into an empty
database. `manage.py backup`, `manage.py restore` and the beat task `bureau.tasks.scheduled_backup`
call these; the procedure around them is in docs/operations.md.

An archive is a tar file (gzip-compressed when its name ends in .tar.gz or .tgz):

    database/portal.pgdump    PostgreSQL: `pg_dump --format=custom`
    database/portal.sqlite3   SQLite: a consistent copy by sqlite3's online backup API
    media/…, private/…        every regular file of MEDIA_ROOT and PRIVATE_ROOT
    manifest.json             last: format, created_at, vendor, migration state, sha256 and size of every member

The manifest comes last because each member's checksum is computed from the very bytes written into
the archive (a file growing while it is read is stored, and hashed, at the size it had when opened).
"""

import dataclasses
import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "veterans-bureau-portal-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database/portal.pgdump", "sqlite": "database/portal.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Archive folder → the setting whose directory it holds.
FILE_ROOTS = {"media": "MEDIA_ROOT", "private": "PRIVATE_ROOT"}
# What the scheduled backups are called; retention deletes nothing else in BACKUP_DIR.
SCHEDULED_NAME = re.compile(r"^portal-\d{8}-\d{6}\.tar\.gz$")
# The hidden temporary files of a scheduled backup (see backup_create).
SCHEDULED_PARTIAL = re.compile(r"^\.portal-\d{8}-\d{6}\.tar\.gz(\.database)?\.partial$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; the message is Chinese and says what to do."""


@dataclasses.dataclass(frozen=True)
class Member:
    sha256: str
    size: int


@dataclasses.dataclass
class Manifest:
    created_at: str  # ISO 8601, with the offset
    vendor: str  # connection.vendor: "postgresql" or "sqlite"
    database_tool: str  # "pg_dump (PostgreSQL) 15.18 …" or "SQLite 3.40.1"
    migrations: dict[str, str]  # app label → its latest applied migration
    members: dict[str, Member]  # archive name → checksum and size, every member but the manifest
    format_version: int = FORMAT_VERSION

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.vendor]

    @property
    def file_members(self) -> list[str]:
        return [name for name in self.members if name != self.database_member]

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": self.format_version,
            "created_at": self.created_at,
            "database": {"vendor": self.vendor, "member": self.database_member, "tool": self.database_tool},
            "migrations": self.migrations,
            "members": {name: dataclasses.asdict(member) for name, member in self.members.items()},
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("format")
            manifest = cls(
                created_at=data["created_at"],
                vendor=data["database"]["vendor"],
                database_tool=data["database"]["tool"],
                migrations=dict(data["migrations"]),
                members={name: Member(sha256=m["sha256"], size=int(m["size"])) for name, m in data["members"].items()},
                format_version=int(data["format_version"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BackupError(
                "备份文件的清单（manifest.json）无法读取：这不是本系统的备份，或备份文件已损坏。"
            ) from None
        if manifest.format_version > FORMAT_VERSION:
            raise BackupError(
                f"备份文件的格式版本 {manifest.format_version} 比本程序支持的（{FORMAT_VERSION}）新：请用不早于备份时的程序版本恢复。"
            )
        if manifest.vendor not in DATABASE_MEMBERS:
            raise BackupError(f"备份中的数据库类型“{manifest.vendor}”不受支持。")
        return manifest


# Backup


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
        migrations = _migration_state()
        tool = _dump_postgresql(dump) if vendor == "postgresql" else _dump_sqlite(dump)
        members: dict[str, Member] = {}
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode=mode, format=tarfile.PAX_FORMAT, **_compression(mode)) as tar:
                members[DATABASE_MEMBERS[vendor]] = _add_file(tar, DATABASE_MEMBERS[vendor], dump)
                for name, path in _files_to_back_up():
                    members[name] = _add_file(tar, name, path)
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


def _migration_state() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app_label, ""):
            latest[app_label] = name
    return dict(sorted(latest.items()))


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
    tar.addfile(info, _BytesReader(data))


class _BytesReader:
    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.position + size
        chunk = bytes(self.data[self.position : end])
        self.position += len(chunk)
        return chunk


def _dump_sqlite(path: Path) -> str:
    # The online backup API copies a consistent snapshot while others write; a plain file copy
    # taken during a write (or with a WAL beside it) can be a corrupt database. A connection of its
    # own reads what is committed; the read transaction taken first waits for a writer within the
    # busy timeout (the API itself would retry forever) and holds the snapshot while the pages are copied.
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("内存中的 SQLite 数据库不能备份：请让 DATABASE_URL 指向一个数据库文件。")
    if not Path(name).is_file():
        raise BackupError(f"找不到 SQLite 数据库文件“{name}”：请检查 DATABASE_URL。")
    source = sqlite3.connect(f"{Path(name).as_uri()}?mode=ro", uri=True, timeout=60, isolation_level=None)
    target = sqlite3.connect(path)
    try:
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        source.backup(target)
        source.execute("COMMIT")
    except sqlite3.Error as error:
        raise BackupError(f"读取 SQLite 数据库失败，未生成备份文件：{error}") from None
    finally:
        target.close()
        source.close()
    return f"SQLite {sqlite3.sqlite_version}"


# PostgreSQL's client programs


def _postgresql_program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"找不到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端"
            f"（Debian：apt-get install postgresql-client-15），并确保它在 PATH 中。"
        )
    return program


def _program_version(program: str) -> tuple[str, int]:
    text = subprocess.run([program, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    match = re.search(r"\) (\d+)", text) or re.search(r"(\d+)\.\d+", text)
    return text, int(match.group(1)) if match else 0


def _postgresql_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment: the password goes in PGPASSWORD, never on a command line."""
    config = connection.settings_dict
    arguments = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if config.get(key):
            arguments += [option, str(config[key])]
    environment = dict(os.environ)
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = str(config["PASSWORD"])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if config.get("OPTIONS", {}).get(option):
            environment[variable] = str(config["OPTIONS"][option])
    return arguments, environment


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _dump_postgresql(path: Path) -> str:
    program = _postgresql_program("pg_dump")
    version, major = _program_version(program)
    server = _server_major()
    if major < server:
        raise BackupError(
            f"pg_dump 的版本（{major}）低于数据库服务器（{server}），无法备份："
            f"请安装 postgresql-client-{server}，或把它的 pg_dump 放在 PATH 的前面。"
        )
    arguments, environment = _postgresql_arguments()
    result = subprocess.run(
        [program, "--format=custom", "--file", str(path), *arguments, "--dbname", connection.settings_dict["NAME"]],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump 备份数据库失败，未生成备份文件：{result.stderr.strip()}")
    return version


# Restore


def backup_restore(*, archive: Path, say: Callable[[str], None] = lambda message: None) -> Manifest:
    """
    Restore an archive of `backup_create` into this installation's database and file folders.

    Before anything is written: every member's checksum and size is verified against the manifest,
    the database must be of the archive's vendor and hold no table of the portal, the archive's
    migrations must be known to this code, and MEDIA_ROOT and PRIVATE_ROOT must hold no file.
    Then the database and the files are restored, the written files verified against the manifest,
    `migrate` run when this code has migrations the archive lacks, and the jobs that were running at
    backup time handed to `bureau.background.jobs_after_restore` where it exists. `say` receives a
    line for each thing done.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件“{archive}”。")
    manifest = _verified_manifest(archive)
    say(f"备份文件完整：{len(manifest.members)} 个成员的校验值与清单一致（备份于 {manifest.created_at}）。")
    _check_vendor(manifest)
    _check_migrations_known(manifest)
    roots = _empty_file_roots()
    restore_program = _check_restore_program(manifest) if manifest.vendor == "postgresql" else ""
    _check_database_empty()

    with tempfile.TemporaryDirectory(prefix="portal-restore-") as scratch:
        database_file = Path(scratch) / Path(manifest.database_member).name
        with _open_archive(archive) as tar:
            _extract_member(tar, manifest, manifest.database_member, database_file)
        if manifest.vendor == "postgresql":
            _restore_postgresql(restore_program, database_file)
        else:
            _restore_sqlite(database_file)
    say(f"已恢复 {VENDOR_NAMES[manifest.vendor]} 数据库。")

    with _open_archive(archive) as tar:
        for name in manifest.file_members:
            folder, relative = name.split("/", 1)
            _extract_member(tar, manifest, name, _inside(roots[folder], relative))
    _verify_restored_files(manifest, roots)
    say(f"已恢复并核对 {len(manifest.file_members)} 个文件（MEDIA_ROOT、PRIVATE_ROOT）。")

    _migrate_if_code_is_newer(say)
    _jobs_after_restore(say)
    return manifest


def _open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r:*")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise _damaged(archive, error) from None


def _damaged(archive: Path, error: Exception) -> BackupError:
    return BackupError(f"备份文件“{archive}”已损坏或不是本系统的备份（{error}），未做任何恢复。")


def _verified_manifest(archive: Path) -> Manifest:
    """Read the whole archive once: each member's checksum against the manifest, before anything is written."""
    found: dict[str, Member] = {}
    raw_manifest = None
    try:
        with _open_archive(archive) as tar:
            for info in tar:
                name = _safe_member_name(info)
                if name in found or (name == MANIFEST_NAME and raw_manifest is not None):
                    raise BackupError(f"备份文件中“{name}”出现了两次：这不是本系统生成的备份，未做任何恢复。")
                if name == MANIFEST_NAME:
                    raw_manifest = tar.extractfile(info).read()
                    continue
                digest, size = hashlib.sha256(), 0
                source = tar.extractfile(info)
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                found[name] = Member(sha256=digest.hexdigest(), size=size)
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise _damaged(archive, error) from None
    if raw_manifest is None:
        # A damaged compressed stream ends tarfile's reading early, before the manifest (the last member).
        raise _damaged(archive, "读不到清单 manifest.json")
    manifest = Manifest.from_json(raw_manifest)
    if manifest.database_member not in manifest.members:
        raise BackupError("备份清单中没有数据库：这不是完整的备份，未做任何恢复。")
    for name, expected in manifest.members.items():
        if name not in found:
            raise BackupError(f"备份文件已损坏：缺少清单中的“{name}”，未做任何恢复。")
        if found[name] != expected:
            raise BackupError(f"备份文件已损坏：“{name}”的校验值与清单不符，未做任何恢复。")
    extra = sorted(set(found) - set(manifest.members))
    if extra:
        raise BackupError(f"备份文件中有清单以外的内容（“{extra[0]}”）：未做任何恢复。")
    return manifest


def _safe_member_name(info: tarfile.TarInfo) -> str:
    """Only regular files, under database/, media/ or private/ (or the manifest), without `..` or an absolute path."""
    path = PurePosixPath(info.name)
    top = path.parts[0] if path.parts else ""
    if (
        not info.isreg()
        or path.is_absolute()
        or ".." in path.parts
        or (info.name != MANIFEST_NAME and (top not in {"database", *FILE_ROOTS} or len(path.parts) < 2))
    ):
        raise BackupError(f"备份文件中有不允许的条目“{info.name}”：这不是本系统生成的备份，未做任何恢复。")
    return info.name


def _check_vendor(manifest: Manifest) -> None:
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"这是 {VENDOR_NAMES[manifest.vendor]} 数据库的备份，不能恢复到 "
            f"{VENDOR_NAMES.get(connection.vendor, connection.vendor)} 数据库：请让 DATABASE_URL 指向一个空的 "
            f"{VENDOR_NAMES[manifest.vendor]} 数据库再恢复。"
        )


def _check_migrations_known(manifest: Manifest) -> None:
    """An archive of newer code (migrations this code lacks) would leave a schema the code cannot read."""
    loader = MigrationLoader(None, ignore_no_migrations=True)  # the code's migrations, without connecting
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    for app_label, name in manifest.migrations.items():
        if (app_label, name) not in known:
            raise BackupError(
                f"备份来自较新版本的程序（本程序没有应用“{app_label}”的迁移“{name}”）："
                "请先把程序升级到不早于备份时的版本，再恢复。未做任何恢复。"
            )


def _check_database_empty() -> None:
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        return  # not created by a refused restore either
    try:
        existing = set(connection.introspection.table_names(include_views=True))
    except DatabaseError as error:
        raise BackupError(f"无法连接目标数据库（{error}）：请检查 DATABASE_URL。未做任何恢复。") from None
    ours = set(connection.introspection.django_table_names(include_views=True))
    ours |= {MigrationRecorder.Migration._meta.db_table, getattr(settings, "CACHE_TABLE", "")}
    found = sorted(existing & ours)
    if found:
        raise BackupError(
            f"目标数据库不是空的（已有本系统的 {len(found)} 张表，如 {found[0]}）：恢复只写入空数据库，不会覆盖现有数据。"
            "请新建一个空数据库，让 DATABASE_URL 指向它再恢复："
            "PostgreSQL 用 createdb -O portal portal_restored（或先 dropdb 再 createdb 原库名）；"
            "SQLite 让 DATABASE_URL 指向一个尚不存在的文件。"
        )


def _empty_file_roots() -> dict[str, Path]:
    roots = {}
    for folder, setting in FILE_ROOTS.items():
        root = Path(getattr(settings, setting))
        if root.exists() and not root.is_dir():
            raise BackupError(f"{setting}“{root}”不是目录。未做任何恢复。")
        if root.is_dir() and any(path.is_file() or path.is_symlink() for path in root.rglob("*")):
            raise BackupError(
                f"文件目录“{root}”（{setting}）中已有文件：恢复只写入空目录，不会覆盖现有文件。"
                f"请清空该目录，或让 {setting} 指向一个空目录再恢复。未做任何恢复。"
            )
        roots[folder] = root
    return roots


def _check_restore_program(manifest: Manifest) -> str:
    program = _postgresql_program("pg_restore")
    _, major = _program_version(program)
    dumped_by = re.search(r"\) (\d+)", manifest.database_tool)
    if dumped_by and major < int(dumped_by.group(1)):
        raise BackupError(
            f"pg_restore 的版本（{major}）低于备份时的 pg_dump（{dumped_by.group(1)}），读不了这个备份："
            f"请安装 postgresql-client-{dumped_by.group(1)}。未做任何恢复。"
        )
    return program


def _inside(root: Path, relative: str) -> Path:
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"备份文件中有不允许的路径“{relative}”。")
    return path


def _extract_member(tar: tarfile.TarFile, manifest: Manifest, name: str, target: Path) -> None:
    """Write one member to `target`, checking again what is written (the archive might have changed since)."""
    try:
        source = tar.extractfile(name)
    except KeyError:
        raise BackupError(f"备份文件已损坏：缺少清单中的“{name}”。") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("xb") as file:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            file.write(chunk)
    if digest.hexdigest() != manifest.members[name].sha256:
        raise BackupError(f"备份文件在恢复过程中发生了变化：“{name}”的校验值与清单不符。")
    member_time = tar.getmember(name).mtime
    os.utime(target, (member_time, member_time))


def _verify_restored_files(manifest: Manifest, roots: dict[str, Path]) -> None:
    for name in manifest.file_members:
        folder, relative = name.split("/", 1)
        path = roots[folder] / relative
        if _file_member(path) != manifest.members[name]:
            raise BackupError(f"恢复后的文件“{path}”与备份清单不符，请检查磁盘后重新恢复。")


def _file_member(path: Path) -> Member:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Member(sha256=digest.hexdigest(), size=size)


def _restore_postgresql(program: str, dump: Path) -> None:
    arguments, environment = _postgresql_arguments()
    # Owners and grants of the source server's roles are not recreated: the tables belong to the
    # role of DATABASE_URL, as after `migrate`.
    result = subprocess.run(
        [
            program,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *arguments,
            "--dbname",
            connection.settings_dict["NAME"],
            str(dump),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore 恢复数据库失败：{result.stderr.strip()}\n"
            "数据库可能只恢复了一部分：请删除并重建这个空数据库后再恢复。文件尚未恢复。"
        )


def _restore_sqlite(copy: Path) -> None:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("内存中的 SQLite 数据库不能恢复：请让 DATABASE_URL 指向一个数据库文件。")
    connections.close_all()
    source = sqlite3.connect(copy)
    target = sqlite3.connect(name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _migrate_if_code_is_newer(say: Callable[[str], None]) -> None:
    connections.close_all()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        say("数据库结构与本程序一致，未执行 migrate。")
        return
    names = "、".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan)
    call_command("migrate", interactive=False, verbosity=0)
    say(f"本程序比备份新：已执行 migrate，应用了 {len(plan)} 个迁移（{names}）。")


def _jobs_after_restore(say: Callable[[str], None]) -> None:
    # The job kit (bureau.background) re-queues or fails the jobs that were running when the backup
    # was taken; a code base without it has nothing to hand them to.
    try:
        from bureau import background
    except ImportError:
        background = None
    if background is not None and hasattr(background, "jobs_after_restore"):
        try:
            result = background.jobs_after_restore()
        except Exception as error:
            raise BackupError(
                f"数据库和文件已恢复，但处理备份时未完成的后台任务出错（{error}）：请查看日志，后台任务的巡检会再处理它们。"
            ) from error
        say(f"已处理备份时未完成的后台任务（bureau.background.jobs_after_restore：{result}）。")
    else:
        say("本程序没有后台任务恢复钩子（bureau.background.jobs_after_restore），未处理备份时未完成的后台任务。")

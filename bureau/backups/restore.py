"""Restoring an archive: `backup_restore`, everything checked before anything is written."""

import hashlib
import importlib
import os
import re
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from bureau.backups.databases import postgresql_program, program_version, restore_postgresql, restore_sqlite
from bureau.backups.manifest import (
    CHUNK,
    FILE_ROOTS,
    MANIFEST_NAME,
    VENDOR_NAMES,
    BackupError,
    Manifest,
    Member,
    file_member,
)


def backup_restore(*, archive: Path, say: Callable[[str], None] = lambda message: None) -> Manifest:
    """
    Restore an archive of `backup_create` into this installation's database and file folders.

    Before anything is written: every member's checksum and size is verified against the manifest,
    the database must be of the archive's vendor and hold no table of the portal, the archive's
    migrations must be known to this code, and MEDIA_ROOT and PRIVATE_ROOT must hold no file.
    Then the database and the files are restored, the written files verified against the manifest,
    `migrate` run when this code has migrations the archive lacks, and the jobs that were running at
    backup time handed to `bureau.rules.background.jobs_after_restore` where it exists. `say` receives a
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

    try:
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as scratch:
            database_file = Path(scratch) / Path(manifest.database_member).name
            with _open_archive(archive) as tar:
                _extract_member(tar, manifest, manifest.database_member, database_file)
            if manifest.vendor == "postgresql":
                restore_postgresql(restore_program, database_file)
            else:
                restore_sqlite(database_file)
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(f"读取备份中的数据库失败（{error}）：未做任何恢复。") from None
    say(f"已恢复 {VENDOR_NAMES[manifest.vendor]} 数据库。")

    try:
        with _open_archive(archive) as tar:
            for name in manifest.file_members:
                folder, relative = name.split("/", 1)
                _extract_member(tar, manifest, name, _inside(roots[folder], relative))
        _verify_restored_files(manifest, roots)
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(
            f"数据库已恢复，但写入文件失败（{error}）：查明原因（如磁盘空间）后，删除并重建空数据库、"
            "清空文件目录，再重新恢复。"
        ) from None
    say(f"已恢复并核对 {len(manifest.file_members)} 个文件（MEDIA_ROOT、PRIVATE_ROOT）。")

    _migrate_if_code_is_newer(say)
    _jobs_after_restore(say)
    return manifest


def _open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r:*")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise _damaged(archive, error) from None


def _damaged(archive: Path, error: Exception | str) -> BackupError:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return BackupError(f"备份文件“{archive}”已损坏或不是本系统的备份（{detail}），未做任何恢复。")


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
            # To the end of the stream: gzip checks its own CRC there, and a damaged stream can end
            # tarfile's reading early without an error.
            while tar.fileobj.read(CHUNK):
                pass
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
    program = postgresql_program("pg_restore")
    _, major = program_version(program)
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
        if file_member(path) != manifest.members[name]:
            raise BackupError(f"恢复后的文件“{path}”与备份清单不符，请检查磁盘后重新恢复。")


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
    # The job kit (bureau.rules.background) re-queues or fails the jobs that were running when the backup
    # was taken; a code base without it has nothing to hand them to.
    try:
        background = importlib.import_module("bureau.rules.background")
    except ModuleNotFoundError as error:
        if error.name != "bureau.rules.background":
            raise
        background = None
    if background is not None and hasattr(background, "jobs_after_restore"):
        try:
            result = background.jobs_after_restore()
        except Exception as error:
            raise BackupError(
                f"数据库和文件已恢复，但处理备份时未完成的后台任务出错（{error}）：请查看日志，后台任务的巡检会再处理它们。"
            ) from error
        say(f"已处理备份时未完成的后台任务（bureau.rules.background.jobs_after_restore：{result}）。")
    else:
        say("本程序没有后台任务恢复钩子（bureau.rules.background.jobs_after_restore），未处理备份时未完成的后台任务。")

"""The database's part of a backup: SQLite's online backup API, PostgreSQL's pg_dump and pg_restore."""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder

from bureau.backups.manifest import BackupError


def migration_state() -> dict[str, str]:
    """App label → the latest migration applied to this database (the manifest's `migrations`)."""
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app_label, ""):
            latest[app_label] = name
    return dict(sorted(latest.items()))


def dump_sqlite(path: Path) -> str:
    """Copy the SQLite database to `path`; returns the tool's name for the manifest."""
    # The online backup API copies a consistent snapshot while others write; a plain file copy
    # taken during a write (or with a WAL beside it) can be a corrupt database. A connection of its
    # own reads what is committed; the read transaction taken first waits for a writer within the
    # busy timeout (the API itself would retry forever) and holds the snapshot while the pages are copied.
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("内存中的 SQLite 数据库不能备份：请让 DATABASE_URL 指向一个数据库文件。")
    if not Path(name).is_file():
        raise BackupError(f"找不到 SQLite 数据库文件“{name}”：请检查 DATABASE_URL。")
    source = sqlite3.connect(f"{Path(name).resolve().as_uri()}?mode=ro", uri=True, timeout=60, isolation_level=None)
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


def restore_sqlite(copy: Path) -> None:
    """Write the database copy over the (empty) database file of DATABASE_URL, page by page."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("内存中的 SQLite 数据库不能恢复：请让 DATABASE_URL 指向一个数据库文件。")
    connections.close_all()
    source = sqlite3.connect(copy)
    target = sqlite3.connect(name, timeout=60)
    try:
        source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"写入 SQLite 数据库“{name}”失败（{error}）：请删除该文件后重新恢复。") from None
    finally:
        target.close()
        source.close()


def postgresql_program(name: str) -> str:
    """The path of pg_dump or pg_restore, or a Chinese refusal saying what to install."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"找不到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端"
            f"（Debian：apt-get install postgresql-client-15），并确保它在 PATH 中。"
        )
    return program


def program_version(program: str) -> tuple[str, int]:
    """`pg_dump --version`'s line and its major version."""
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


def dump_postgresql(path: Path) -> str:
    """`pg_dump --format=custom` of the database to `path`; returns pg_dump's version line for the manifest."""
    program = postgresql_program("pg_dump")
    version, major = program_version(program)
    server = _server_major()
    if major < server:
        raise BackupError(
            f"pg_dump 的版本（{major}）低于数据库服务器（{server}），无法备份："
            f"请安装 postgresql-client-{server}，或把它的 pg_dump 放在 PATH 的前面。"
        )
    arguments, environment = _postgresql_arguments()
    result = subprocess.run(
        [
            program,
            "--format=custom",
            "--no-password",  # never a prompt: a scheduled backup would wait on it for ever
            "--file",
            str(path),
            *arguments,
            "--dbname",
            connection.settings_dict["NAME"],
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump 备份数据库失败，未生成备份文件：{result.stderr.strip()}")
    return version


def restore_postgresql(program: str, dump: Path) -> None:
    """`pg_restore` of a custom-format dump into the (empty) database of DATABASE_URL, stopping at the first error."""
    arguments, environment = _postgresql_arguments()
    # Owners and grants of the source server's roles are not recreated: the tables belong to the
    # role of DATABASE_URL, as after `migrate`.
    result = subprocess.run(
        [
            program,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--no-password",
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

"""
`manage.py backup` and `manage.py restore` (bureau.backups), on the database the suite runs on
(SQLite by default, PostgreSQL in CI): a backup restored into a new empty database gives the same
2021 report, ledger totals and files; a damaged archive, a database that is not empty, an archive
of the other vendor or of newer code are refused in Chinese with nothing written; the scheduled
backups keep the BACKUP_KEEP newest.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
import time
import types
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from bureau import tasks
from bureau.backups import MANIFEST_NAME
from tests.bureau import backup_probe

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FILES = {
    "media/commemoration/photos/烈士照片.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40,
    "media/attachments/2021/证明.pdf": b"%PDF-1.4\n" + "一份证明".encode() * 100,
    "private/imports/名单.xlsx": b"PK\x03\x04" + bytes(reversed(range(256))) * 20,
}


def write_files(media: Path, private: Path) -> None:
    for name, content in FILES.items():
        folder, relative = name.split("/", 1)
        path = (media if folder == "media" else private) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


class EmptyDatabase:
    """A new empty database beside the test database, and the DATABASE_URL naming it."""

    def __init__(self, tmp_path: Path):
        self.config = connection.settings_dict
        if on_postgresql():
            self.name = f"portal_restore_{uuid.uuid4().hex[:12]}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            host = f"{self.config['HOST'] or 'localhost'}:{self.config['PORT'] or 5432}"
            credentials = f"{quote(self.config['USER'], safe='')}:{quote(self.config['PASSWORD'], safe='')}"
            self.url = f"postgres://{credentials}@{host}/{self.name}"
        else:
            self.url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"

    def _admin(self, statement: str) -> None:
        import psycopg2

        admin = psycopg2.connect(
            dbname="postgres",
            user=self.config["USER"],
            password=self.config["PASSWORD"],
            host=self.config["HOST"] or None,
            port=self.config["PORT"] or None,
        )
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(statement)
        finally:
            admin.close()

    def drop(self) -> None:
        if on_postgresql():
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


# Slow by nature (10–20 s on SQLite, about 40 s on PostgreSQL): the 2021 demo district is seeded,
# and the restore and the check of what it restored run in processes of their own against a
# second, real database (on PostgreSQL created and dropped by the test).
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_restore_into_an_empty_database_reproduces_the_report_the_ledger_and_the_files(tmp_path, settings):
    settings.MEDIA_ROOT, settings.PRIVATE_ROOT = tmp_path / "media", tmp_path / "private"
    write_files(settings.MEDIA_ROOT, settings.PRIVATE_ROOT)
    call_command("seed_demo", "--year", "2021", "--scale", "small", stdout=io.StringIO())
    expected = backup_probe.snapshot()
    # What the comparison stands on: the demo's report, its payments, the three files.
    assert "（三）优待抚恤" in expected["report"]
    assert len(expected["ledger"]) >= 3
    assert sum(count for count, _ in expected["ledger"].values()) > 400
    assert set(expected["files"]) == set(FILES)

    archive = tmp_path / "backups" / "portal.tar.gz"
    archive.parent.mkdir()
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert f"已备份到 {archive}：" in out.getvalue()
    assert "数据库和 3 个文件" in out.getvalue()
    assert sorted(p.name for p in archive.parent.iterdir()) == ["portal.tar.gz"]  # no temporary file left

    target = EmptyDatabase(tmp_path)
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": target.url,
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
            "PRIVATE_ROOT": str(tmp_path / "restored-private"),
            "REDIS_URL": "",
        }
        restored = manage("restore", "--input", str(archive), env=env)
        assert restored.returncode == 0, restored.stderr
        assert "备份文件完整：4 个成员的校验值与清单一致" in restored.stdout
        assert "已恢复并核对 3 个文件（MEDIA_ROOT、PRIVATE_ROOT）。" in restored.stdout
        assert "数据库结构与本程序一致，未执行 migrate。" in restored.stdout
        assert "恢复完成。" in restored.stdout

        probe = manage(
            "shell",
            "--no-imports",
            "-c",
            "from tests.bureau.backup_probe import print_snapshot; print_snapshot()",
            env=env,
        )
        assert probe.returncode == 0, probe.stderr
        line = next(line for line in probe.stdout.splitlines() if line.startswith("SNAPSHOT "))
        actual = json.loads(line.removeprefix("SNAPSHOT "))
        assert actual["report"] == expected["report"]
        assert actual["ledger"] == expected["ledger"]
        assert actual["files"] == expected["files"]

    finally:
        target.drop()


# Archives of the migrated, empty test database, made once for the refusals below.


@pytest.fixture(scope="module")
def archives(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("archives")
    media, private = directory / "media", directory / "private"
    write_files(media, private)
    made = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PRIVATE_ROOT=private):
        for name in ("portal.tar", "portal.tar.gz"):
            made[name] = directory / name
            call_command("backup", "--output", str(made[name]), stdout=io.StringIO())
    return made


@pytest.fixture
def empty_roots(tmp_path, settings) -> list[Path]:
    settings.MEDIA_ROOT, settings.PRIVATE_ROOT = tmp_path / "media", tmp_path / "private"
    return [settings.MEDIA_ROOT, settings.PRIVATE_ROOT]


def restore(archive: Path) -> str:
    out = io.StringIO()
    call_command("restore", "--input", str(archive), stdout=out)
    return out.getvalue()


def nothing_written(roots: list[Path]) -> bool:
    return not any(path.is_file() for root in roots for path in root.rglob("*"))


def rewritten(archive: Path, target: Path, change, rename: dict[str, str] | None = None) -> Path:
    """
    A copy of an uncompressed archive whose manifest `change` edits (the manifest has no checksum of
    its own) and whose members `rename` renames.
    """
    with tarfile.open(archive) as source, tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as copy:
        for info in source:
            data = source.extractfile(info).read()
            if info.name == MANIFEST_NAME:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                info.size = len(data)
            info.name = (rename or {}).get(info.name, info.name)
            copy.addfile(info, io.BytesIO(data))
    return target


def test_an_archive_with_one_byte_changed_is_refused_before_anything_is_written(archives, empty_roots, tmp_path):
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(archives["portal.tar"].read_bytes())
    with tarfile.open(damaged) as tar:
        offset = tar.getmember("media/attachments/2021/证明.pdf").offset_data + 100
    with damaged.open("r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0x01]))

    with pytest.raises(CommandError) as refused:
        restore(damaged)
    assert str(refused.value) == "备份文件已损坏：“media/attachments/2021/证明.pdf”的校验值与清单不符，未做任何恢复。"
    assert nothing_written(empty_roots)


def test_a_damaged_compressed_archive_is_refused_in_chinese(archives, empty_roots, tmp_path):
    data = bytearray(archives["portal.tar.gz"].read_bytes())
    # Wherever a byte of the compressed stream is changed (a member, a header, the gzip trailer),
    # the restore refuses before anything is written; what it says depends on what the byte hit.
    for position in (len(data) // 3, len(data) // 2, len(data) - 5):
        damaged = tmp_path / f"damaged-{position}.tar.gz"
        changed = bytearray(data)
        changed[position] ^= 0xFF
        damaged.write_bytes(bytes(changed))

        with pytest.raises(CommandError, match=r"^备份文件.*未做任何恢复。$"):
            restore(damaged)
        assert nothing_written(empty_roots)


def test_a_restore_into_a_database_that_is_not_empty_is_refused(archives, empty_roots):
    # The test database holds the portal's tables (migrated): the restore would mix two databases.
    with pytest.raises(CommandError) as refused:
        restore(archives["portal.tar.gz"])
    message = str(refused.value)
    assert message.startswith("目标数据库不是空的（已有本系统的")
    assert "恢复只写入空数据库，不会覆盖现有数据。请新建一个空数据库，让 DATABASE_URL 指向它再恢复" in message
    assert nothing_written(empty_roots)


def test_files_are_restored_into_empty_folders_only(archives, empty_roots):
    (empty_roots[1] / "exports").mkdir(parents=True)
    (empty_roots[1] / "exports" / "导出.xlsx").write_bytes(b"PK")

    with pytest.raises(CommandError) as refused:
        restore(archives["portal.tar.gz"])
    assert str(refused.value) == (
        f"文件目录“{empty_roots[1]}”（PRIVATE_ROOT）中已有文件：恢复只写入空目录，不会覆盖现有文件。"
        "请清空该目录，或让 PRIVATE_ROOT 指向一个空目录再恢复。未做任何恢复。"
    )


def test_an_archive_of_the_other_database_vendor_is_refused(archives, empty_roots, tmp_path):
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    members = {"sqlite": "database/portal.sqlite3", "postgresql": "database/portal.pgdump"}
    this, other = connection.vendor, ("sqlite" if on_postgresql() else "postgresql")

    def other_vendor(manifest):
        manifest["database"].update(vendor=other, member=members[other])
        manifest["members"][members[other]] = manifest["members"].pop(members[this])

    fixed = rewritten(
        archives["portal.tar"], tmp_path / "other.tar", other_vendor, rename={members[this]: members[other]}
    )

    with pytest.raises(CommandError) as refused:
        restore(fixed)
    assert str(refused.value) == (
        f"这是 {names[other]} 数据库的备份，不能恢复到 {names[connection.vendor]} 数据库："
        f"请让 DATABASE_URL 指向一个空的 {names[other]} 数据库再恢复。"
    )
    assert nothing_written(empty_roots)


def test_an_archive_of_newer_code_is_refused(archives, empty_roots, tmp_path):
    def newer(manifest):
        manifest["migrations"]["bureau"] = "9999_from_the_future"

    with pytest.raises(CommandError) as refused:
        restore(rewritten(archives["portal.tar"], tmp_path / "newer.tar", newer))
    assert str(refused.value) == (
        "备份来自较新版本的程序（本程序没有应用“bureau”的迁移“9999_from_the_future”）："
        "请先把程序升级到不早于备份时的版本，再恢复。未做任何恢复。"
    )
    assert nothing_written(empty_roots)


# Slow by nature (10–15 s): four processes restore, roll a migration back, back up and restore
# again. SQLite only: the step under test (migrate when the code is newer) is the same code on
# PostgreSQL, whose restore the round trip above covers.
@pytest.mark.slow
def test_a_restore_by_newer_code_runs_the_migrations_the_archive_lacks(archives, tmp_path):
    if on_postgresql():
        pytest.skip("the archives here are of PostgreSQL; the migrate step does not depend on the vendor")

    def environment(name: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3",
            "MEDIA_ROOT": str(tmp_path / name / "media"),
            "PRIVATE_ROOT": str(tmp_path / name / "private"),
            "REDIS_URL": "",
        }

    # An archive of an older release: its database lacks the test area's latest migration.
    older = environment("older")
    for command in (
        ["restore", "--input", str(archives["portal.tar.gz"])],
        ["migrate", "kit_area", "0001"],
        ["backup", "--output", str(tmp_path / "older.tar.gz")],
    ):
        result = manage(*command, env=older)
        assert result.returncode == 0, result.stderr

    restored = manage("restore", "--input", str(tmp_path / "older.tar.gz"), env=environment("newer"))

    assert restored.returncode == 0, restored.stderr
    assert (
        "本程序比备份新：已执行 migrate，应用了 1 个迁移（kit_area.0002_grant_version_historicalgrant_version）。"
        in restored.stdout
    )


def test_after_a_restore_the_job_kit_is_handed_the_jobs_in_flight(monkeypatch):
    # bureau.rules.background (the job kit) re-queues or fails the jobs that were running at backup time;
    # restore calls its hook when the code has one, and says so either way.
    from bureau.backups import restore as restore_module

    said: list[str] = []
    monkeypatch.setitem(sys.modules, "bureau.rules.background", None)  # as if the kit were absent
    restore_module._jobs_after_restore(said.append)
    kit = types.ModuleType("bureau.rules.background")
    kit.jobs_after_restore = lambda: "2 个任务重新排队，1 个标为失败"
    monkeypatch.setitem(sys.modules, "bureau.rules.background", kit)
    restore_module._jobs_after_restore(said.append)

    assert said == [
        "本程序没有后台任务恢复钩子（bureau.rules.background.jobs_after_restore），未处理备份时未完成的后台任务。",
        "已处理备份时未完成的后台任务（bureau.rules.background.jobs_after_restore：2 个任务重新排队，1 个标为失败）。",
    ]


def test_a_missing_archive_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"^找不到备份文件“.*nothing\.tar\.gz”。$"):
        restore(tmp_path / "nothing.tar.gz")


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("missing/portal.tar.gz", "输出目录“{tmp}/missing”不存在，请先创建它。"),
        ("portal.zip", "备份文件名“portal.zip”须以 .tar.gz（压缩）或 .tar 结尾。"),
        ("existing.tar.gz", "“{tmp}/existing.tar.gz”已存在，备份不会覆盖已有文件，请换一个文件名。"),
    ],
)
def test_a_backup_to_a_bad_output_is_refused_in_chinese(tmp_path, output, message):
    (tmp_path / "existing.tar.gz").write_bytes(b"an older backup")

    with pytest.raises(CommandError) as refused:
        call_command("backup", "--output", str(tmp_path / output), stdout=io.StringIO())
    assert str(refused.value) == message.format(tmp=tmp_path)
    assert (tmp_path / "existing.tar.gz").read_bytes() == b"an older backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.tar.gz"]


def test_without_pg_dump_the_backup_says_what_to_install(tmp_path, monkeypatch):
    if not on_postgresql():
        pytest.skip("pg_dump is for PostgreSQL; SQLite is copied by its online backup API")
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError) as refused:
        call_command("backup", "--output", str(tmp_path / "portal.tar.gz"), stdout=io.StringIO())
    assert str(refused.value) == (
        "找不到 pg_dump：请安装与数据库服务器同一主版本的 PostgreSQL 客户端"
        "（Debian：apt-get install postgresql-client-15），并确保它在 PATH 中。"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_scheduled_backup_keeps_the_newest_archives(tmp_path, settings, empty_roots):
    settings.BACKUP_DIR, settings.BACKUP_KEEP = str(tmp_path / "backups"), 3
    directory = Path(settings.BACKUP_DIR)
    directory.mkdir()
    older = [f"portal-2021010{day}-013000.tar.gz" for day in (1, 2, 3, 4)]
    others = ["portal-manual.tar.gz", "notes.txt"]
    for name in older + others:
        (directory / name).write_bytes(b"an older backup")
    # Left by backups killed part-way: a day old (deleted), and one that may still be running (kept).
    abandoned, running = (
        directory / ".portal-20210101-013000.tar.gz.partial",
        directory / ".portal-20210104-013000.tar.gz.partial",
    )
    abandoned.write_bytes(b"part"), running.write_bytes(b"part")
    os.utime(abandoned, (time.time() - 25 * 3600, time.time() - 25 * 3600))

    written = Path(tasks.scheduled_backup.delay().get())

    assert written.parent == directory
    assert written.name.startswith("portal-") and written.name.endswith(".tar.gz")
    with tarfile.open(written) as tar:
        assert tar.getmember(MANIFEST_NAME).size > 0
    assert sorted(p.name for p in directory.iterdir()) == sorted([*older[-2:], written.name, *others, running.name])


def test_without_backup_dir_there_is_no_scheduled_backup(settings):
    settings.BACKUP_DIR = ""
    assert tasks.scheduled_backup.delay().get() is None


@pytest.mark.parametrize(
    ("environment", "expected"), [({}, None), ({"BACKUP_DIR": "/backups", "BACKUP_HOUR": "3"}, "3 30")]
)
def test_the_beat_schedule_has_the_backup_only_when_backup_dir_is_set(environment, expected):
    code = (
        "import bureau.settings as s; e = s.CELERY_BEAT_SCHEDULE.get('scheduled-backup');"
        "print(e and f\"{e['task']} {sorted(e['schedule'].hour)[0]} {sorted(e['schedule'].minute)[0]}\")"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKUP_")} | environment
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (f"bureau.tasks.scheduled_backup {expected}" if expected else "None")


def test_the_image_has_pg_dump_of_the_servers_major_version():
    # `docker compose exec web python manage.py backup` runs pg_dump inside the image: Debian
    # bookworm's postgresql-client is 15, the major version of compose's server.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "-slim-bookworm" in dockerfile
    assert "apt-get install -y --no-install-recommends postgresql-client" in dockerfile
    assert "image: postgres:15" in compose

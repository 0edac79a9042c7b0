"""The archive's manifest and the checks every member is held to (bureau.backups)."""

import dataclasses
import hashlib
import json
from pathlib import Path

FORMAT = "veterans-bureau-portal-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database/portal.pgdump", "sqlite": "database/portal.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Archive folder → the setting whose directory it holds.
FILE_ROOTS = {"media": "MEDIA_ROOT", "private": "PRIVATE_ROOT"}
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
                "备份文件的清单（manifest.json）无法读取：这不是本系统的备份，或备份文件已损坏。未做任何恢复。"
            ) from None
        if manifest.format_version > FORMAT_VERSION:
            raise BackupError(
                f"备份文件的格式版本 {manifest.format_version} 比本程序支持的（{FORMAT_VERSION}）新：请用不早于备份时的程序版本恢复。未做任何恢复。"
            )
        if manifest.vendor not in DATABASE_MEMBERS:
            raise BackupError(f"备份中的数据库类型“{manifest.vendor}”不受支持。未做任何恢复。")
        return manifest


def file_member(path: Path) -> Member:
    """A file's checksum and size, as the manifest holds them."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Member(sha256=digest.hexdigest(), size=size)

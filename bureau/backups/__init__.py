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

from bureau.backups.create import backup_create, backup_scheduled, backups_prune
from bureau.backups.manifest import MANIFEST_NAME, VENDOR_NAMES, BackupError, Manifest, Member
from bureau.backups.restore import backup_restore

__all__ = [
    "MANIFEST_NAME",
    "VENDOR_NAMES",
    "BackupError",
    "Manifest",
    "Member",
    "backup_create",
    "backup_restore",
    "backup_scheduled",
    "backups_prune",
]

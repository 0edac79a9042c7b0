"""
What an import's validation checked, kept for its import: the rows the dry run queued for the
batch writes, as the values to write, in a gzip'd JSON-lines file next to the upload (private
storage, deleted with it; its name, digest and what the checks depend on in the job's summary).
The import job writes them (`apply_rows`) without reading the sheet or validating a row again,
and re-checks only what may have changed since the preview:

- a record an updated row names: still stored as the validation read it (a digest of its
  columns, read locked); a record changed or deleted meanwhile refuses the file, never written over;
- a new row's import key: still free (someone may have added that record meanwhile);
- the user: the same review role; a user not seeing every township, each record within scope;
- the closed years: a year closed since the preview refuses its records.

Any refusal writes nothing: the import stays all or nothing. Rows with a value of a kind not kept
here leave no file (`KeptRows.save` answers None), and the import validates the upload again.
"""

import contextlib
import datetime
import gzip
import hashlib
import io
import json
import tempfile
import uuid
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.core.files import File
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.dateparse import parse_duration
from django.utils.duration import duration_iso_string

from bureau.base.bulk import chunks
from bureau.base.concurrency import DELETED_MESSAGE, stale_error
from bureau.base.scoping import sees_all_townships, township_of
from bureau.importexport.loading import is_foreign_key, stored_values
from bureau.models.closing import ClosedYearError, closed_year_check, closed_years, record_year_path
from bureau.models.jobs import private_storage
from bureau.roles import reviews_records
from bureau.rules.services import ScopeError, check_write_allowed

FORMAT = 1
# Stale rows named with who changed them and when (two queries each); the others more briefly.
DETAILED = 100
STALE_HEAD = "文件校验之后，以下记录已被他人修改或新增。为免覆盖他人的修改，本次导入未写入任何记录；请重新上传文件，按最新内容校验后再导入。"
ROLE_CHANGED = "文件校验之后，您的审核权限已变更，本次导入未写入任何记录；请重新上传文件导入。"
CHANGED_BRIEFLY = "该记录在文件校验之后已被修改，本次导入未写入。"
ADDED_MEANWHILE = "文件校验之后，他人已新增了同一记录（{columns}相同），为免重复或覆盖，本次导入未写入。"


class Unstorable(Exception):
    """A value of a kind this file does not keep: the import validates the upload again."""


def encode(value):
    if value is None or type(value) in (str, int, bool, float):
        return value
    if isinstance(value, str):  # a choice (TextChoices) as its stored value
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime.date | datetime.time):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, list | dict):
        return value
    raise Unstorable(type(value).__name__)


CONVERTED = (models.DateField, models.TimeField, models.DecimalField, models.UUIDField)


def decoder(field):
    """Stored JSON value → the field's Python value, as the validation had it."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.DurationField):
        return lambda value: None if value is None else parse_duration(value)
    if isinstance(target, CONVERTED):  # DateTimeField is a DateField
        return lambda value: None if value is None else target.to_python(value)
    return lambda value: value


def digest(values) -> str:
    """Of a record's columns as stored (`loading.stored_values`, in field order)."""
    text = json.dumps([encode(value) for value in values], ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_digest(model, stored: dict) -> str:
    return digest(stored[field.attname] for field in model._meta.concrete_fields)


class KeptRows:
    """Written by the dry run (`add`, from the batch writes), saved next to the upload once the file validates."""

    def __init__(self, resource):
        user = resource.user
        model = resource._meta.model
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.rows = 0
        self.broken = False
        # What the checks depend on, as they were when validation started.
        township = township_of(user)
        self.header = {
            "format": FORMAT,
            "model": model._meta.label_lower,
            "user": getattr(user, "pk", None),
            "reviews": reviews_records(user),
            "sees_all": sees_all_townships(user),
            "township": getattr(township, "pk", None),
            "closed": sorted(closed_years()) if record_year_path(model) else [],
        }
        self.scratch = tempfile.TemporaryFile()  # noqa: SIM115 (closed by `save` or `discard`)
        self.stream = gzip.GzipFile(fileobj=self.scratch, mode="wb", compresslevel=1)

    def add(self, kind: str, instances, proposals=()) -> None:
        if self.broken:
            return
        try:
            if kind == "create":
                line = [
                    "create",
                    [[i._import_row_number, [encode(getattr(i, f.attname)) for f in self.fields]] for i in instances],
                ]
            else:
                line = ["update", [self.change(i, i._import_update_fields) for i in instances]]
                line.append([self.change(instance, self.diff(instance, stored)) for instance, stored in proposals])
            self.stream.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
        except (Unstorable, TypeError, ValueError, AttributeError):
            self.broken = True
            return
        self.rows += len(instances) + len(proposals)

    def diff(self, instance, stored) -> list[str]:
        return [f.name for f in self.fields if getattr(instance, f.attname) != stored[f.attname]]

    def change(self, instance, names) -> list:
        """[row, pk, digest of the record as read, changed field names, their new values]."""
        meta = self.model._meta
        values = [encode(getattr(instance, meta.get_field(name).attname)) for name in names]
        return [
            instance._import_row_number,
            instance.pk,
            stored_digest(self.model, instance._import_stored),
            list(names),
            values,
        ]

    def save(self, job, header_row: int) -> dict | None:
        """Store the rows next to the job's upload; what the job's summary keeps of them (None: not kept)."""
        try:
            self.stream.close()
            if self.broken:
                return None
            self.scratch.seek(0)
            sha = hashlib.sha256()
            for block in iter(lambda: self.scratch.read(1 << 20), b""):
                sha.update(block)
            self.scratch.seek(0)
            name = f"{job.file.name}.rows.gz"
            private_storage.delete(name)
            name = private_storage.save(name, File(self.scratch))
            return {"name": name, "sha256": sha.hexdigest(), "rows": self.rows, **self.header, "header_row": header_row}
        finally:
            self.scratch.close()

    def discard(self) -> None:
        self.stream.close()
        self.scratch.close()


def kept_of(job) -> dict | None:
    kept = (job.summary or {}).get("validated_rows")
    return kept if isinstance(kept, dict) and kept.get("format") == FORMAT and kept.get("name") else None


def kept_delete(job) -> None:
    if (kept := kept_of(job)) is not None:
        private_storage.delete(kept["name"])


def kept_open(job):
    """The job's kept rows as (header, lines) when their file is there, whole and the job's; else None."""
    kept = kept_of(job)
    if kept is None or kept["model"] != job.model or kept["user"] != job.user_id:
        return None
    try:
        with private_storage.open(kept["name"], "rb") as stored:
            content = stored.read()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != kept["sha256"]:
        return None
    # A batch a line, decompressed as read: the rows are never all in memory at once.
    return kept, (json.loads(line) for line in gzip.GzipFile(fileobj=io.BytesIO(content)))


class Refused(Exception):
    """The whole file is refused at the import (the user's role changed): the messages say why."""

    def __init__(self, messages):
        super().__init__(messages[0])
        self.messages = messages


class Rechecks:
    """What may have changed since the validation, checked a batch at a time; problems collected as row messages."""

    def __init__(self, resource, header):
        self.resource, self.user = resource, resource.user
        self.model = model = resource._meta.model
        if self.user is not None and reviews_records(self.user) != header["reviews"]:
            raise Refused([ROLE_CHANGED])
        self.scoped = self.user is not None and not sees_all_townships(self.user)
        self.newly_closed = (set(closed_years()) - set(header["closed"])) if record_year_path(model) else set()
        self.messages, self.stale, self.refused = [], 0, 0
        self.key_attnames, self.key_columns = None, ""
        try:
            key_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
            self.key_attnames = [model._meta.get_field(field.attribute).attname for field in key_fields]
            self.key_columns = "、".join(field.column_name for field in key_fields)
        except (KeyError, FieldDoesNotExist, TypeError):
            pass
        # The related records the columns name (a person's township), read a batch at a time: the audit
        # events name each record (`str`) as the validation did, without a query a row.
        self.related = [
            field.attribute
            for field in resource.get_import_fields()
            if field.attribute and "__" not in field.attribute and is_foreign_key(model, field.attribute)
        ]

    def refuse(self, instance, text: str) -> None:
        self.refused += 1
        self.messages.append(self.resource.row_message(instance._import_row_number, text))

    def stale_row(self, instance, pk) -> None:
        self.stale += 1
        text = stale_error(self.model, pk).messages[0] if self.stale <= DETAILED else CHANGED_BRIEFLY
        self.refuse(instance, text)

    def keys_free(self, instances) -> None:
        if not self.key_attnames or not instances:
            return
        keys = {}
        for instance in instances:
            key = tuple(getattr(instance, attname) for attname in self.key_attnames)
            if all(value not in (None, "") for value in key):
                keys.setdefault(key, instance)
        if not keys:
            return
        lookup = {
            f"{attname}__in": sorted({key[index] for key in keys}) for index, attname in enumerate(self.key_attnames)
        }
        for key in self.model._base_manager.filter(**lookup).values_list(*self.key_attnames):
            if key in keys:
                self.stale += 1
                self.refuse(keys[key], ADDED_MEANWHILE.format(columns=self.key_columns))

    def allowed(self, instances) -> None:
        """Scope (a user not seeing every township) and the years closed since the validation."""
        if not instances or not (self.scoped or self.newly_closed):
            return
        # Read a batch at a time; a path prefetch cannot follow is read one by one instead.
        with contextlib.suppress(AttributeError, ValueError, FieldDoesNotExist):
            prefetch_related_objects(instances, *scope_paths(self.model))
        for instance in instances:
            try:
                if self.scoped:
                    check_write_allowed(user=self.user, record=instance)
                if self.newly_closed:
                    closed_year_check(instance)
            except ScopeError as error:
                self.refuse(instance, str(error))
            except ClosedYearError as error:
                self.refuse(instance, error.messages[0])

    def name_related(self, instances) -> None:
        if self.related and instances:
            prefetch_related_objects(instances, *self.related)


def scope_paths(model) -> list[str]:
    """The relations `check_write_allowed` follows for a record of `model`."""
    through = getattr(model, "scope_through", None)
    if through:
        parent = model._meta.get_field(through).related_model
        return [through, *(f"{through}__{path}" for path in scope_paths(parent))]
    paths = []
    if lookup := getattr(model, "township_lookup", None):
        paths.append(lookup)
    if source := getattr(model, "township_from", ""):
        paths.append(f"{source}__township")
    return paths


def apply_rows(resource, kept: dict, lines, *, on_row) -> list[str]:
    """
    Write the kept rows through the resource's batch writes (dry_run False), in the order the
    validation queued them, inside the caller's transaction; answer the file's messages (empty:
    written). Once a row is refused nothing more is written, the rest only checked, so that every
    refused row is named; the caller rolls back.
    """
    model = resource._meta.model
    user = resource.user
    resource.header_row = kept["header_row"]
    resource.reviews = reviews_records(user)
    resource.proposals = []
    resource.create_instances.clear()
    resource.update_instances.clear()
    resource.ledger_rows_start()
    # The versions were claimed here, read locked with the whole record: the batch writes need not again.
    resource.versions_claimed = True
    checks = Rechecks(resource, kept)
    result = resource.get_result_class()()
    fields = list(model._meta.concrete_fields)
    decoders = [decoder(field) for field in fields]
    done = 0
    for line in lines:
        if line[0] == "create":
            instances = []
            for number, values in line[1]:
                instance = model(*[decode(value) for decode, value in zip(decoders, values, strict=True)])
                instance._import_row_number = number
                instances.append(instance)
            checks.keys_free(instances)
            proposals = []
        else:
            instances = updated(model, line[1], checks, for_proposal=False)
            proposals = updated(model, line[2], checks, for_proposal=True)
        for instance in [*instances, *(proposed for proposed, _ in proposals)]:
            if user is not None:
                instance._history_user = user
            done += 1
            on_row(done)
        checks.allowed([*instances, *(proposed for proposed, _ in proposals)])
        if checks.messages or result.has_errors():
            continue
        checks.name_related(instances)
        if line[0] == "create":
            resource.create_instances = instances
            resource.bulk_create(True, False, False, result=result)
        else:
            resource.update_instances = instances
            resource.proposals = proposals
            resource.bulk_update(True, False, False, result=result)
    messages = [str(error.error) for error in result.base_errors]
    if checks.messages:
        messages = ([STALE_HEAD] if checks.stale else []) + checks.messages + messages
    return messages


def updated(model, rows, checks, *, for_proposal: bool) -> list:
    """
    The records the rows change, read locked, each checked to be as the validation read it, with
    the rows' values set: instances to update, or (proposed, stored) pairs for `change_propose`.
    """
    if not rows:
        return []
    meta = model._meta
    current = {}
    for chunk in chunks([row[1] for row in rows]):
        current.update((record.pk, record) for record in model._base_manager.select_for_update().filter(pk__in=chunk))
    answer = []
    for number, pk, read, names, values in rows:
        record = current.get(pk)
        stored = stored_values(record) if record is not None else None
        if stored is None or stored_digest(model, stored) != read:
            placeholder = model(pk=pk)
            placeholder._import_row_number = number
            if record is None:
                checks.stale += 1
                checks.refuse(placeholder, DELETED_MESSAGE)
            else:
                checks.stale_row(placeholder, pk)
            continue
        record._import_row_number = number
        record._import_stored = stored
        if getattr(record, "version", None) is not None:
            record._loaded_version = record.version
        for name, value in zip(names, values, strict=True):
            field = meta.get_field(name)
            setattr(record, field.attname, decoder(field)(value))
        if for_proposal:
            answer.append((record, stored))
        else:
            record._import_update_fields = list(names)
            answer.append(record)
    return answer

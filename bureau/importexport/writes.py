"""
The batch writes of an import (`BatchWritesMixin`, part of `PortalResource`): rows are queued
while they are validated and written together, with their history, audit and ledger rows, in one
savepoint a batch; all or nothing, and a record saved by someone else meanwhile refuses the file.
"""

from collections import defaultdict
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bureau.base.bulk import chunks, insert_history, insert_rows
from bureau.base.concurrency import stale_error
from bureau.importexport.loading import has_history, update_rows
from bureau.models import VersionedModel
from bureau.rules import audit
from bureau.rules.services import change_propose


class BatchWritesMixin:
    """Writes the rows `save_instance` queued (`create_instances`, `update_instances`, `proposals`)."""

    def writes_allowed(self, dry_run, result) -> bool:
        # All or nothing: once a row is refused nothing more is written (the transaction is rolled back).
        return not dry_run and result is not None and not result.has_errors() and not result.has_validation_errors()

    # During a job's validation: where the dry run keeps the rows it checked (validated.KeptRows),
    # which the import job then writes without validating them again.
    kept_rows = None
    # Set by the import of kept rows, which read the records locked and checked them itself.
    versions_claimed = False

    def keep_rows(self, kind, instances, proposals, dry_run, result) -> None:
        if dry_run and self.kept_rows is not None and (instances or proposals) and self.writes_allowed(False, result):
            self.kept_rows.add(kind, instances, proposals)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.create_instances = list(self.create_instances), []
        self.keep_rows("create", instances, (), dry_run, result)
        if not instances or not self.writes_allowed(dry_run, result):
            return
        model = self._meta.model
        with self.batch_write(result, instances):
            insert_rows(model, instances, returning=True)
            if has_history(model):
                insert_history(model, instances, update=False, user=self.user)
            audit.record_many(audit.Kind.CREATE, objs=instances, user=self.user)
            self.ledger_rows_sync(instances)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.update_instances = list(self.update_instances), []
        proposals, self.proposals = self.proposals, []
        self.keep_rows("update", instances, proposals, dry_run, result)
        if not (instances or proposals) or not self.writes_allowed(dry_run, result):
            return
        model = self._meta.model
        with self.batch_write(result, instances):
            self.claim_versions(instances)
            now = timezone.now()
            auto_now = [field for field in model._meta.concrete_fields if getattr(field, "auto_now", False)]
            # Rows changing the same fields are written together; each writes only what it changes.
            by_fields = defaultdict(list)
            for instance in instances:
                names = set(instance._import_update_fields)
                for field in auto_now:
                    setattr(instance, field.attname, now)
                    names.add(field.name)
                if isinstance(instance, VersionedModel):
                    instance.version = instance._loaded_version + 1
                    names.add("version")
                by_fields[tuple(sorted(names))].append(instance)
            for names, group in by_fields.items():
                update_rows(model, names, group)
            if has_history(model):
                insert_history(model, instances, update=True, user=self.user)
            audit.record_many(audit.Kind.UPDATE, objs=instances, user=self.user)
            self.ledger_rows_sync(instances)
            for instance, stored in proposals:
                current = model(**stored)
                current._state.adding = False
                current._state.db = instance._state.db
                change_propose(record=instance, current=current, by=self.user)

    def claim_versions(self, instances) -> None:
        """
        The versions read at the start still stored? (Locked rows on PostgreSQL; SQLite's import
        transaction holds the write lock.) A record another user saved meanwhile refuses the file.
        """
        if self.versions_claimed:
            return
        versioned = [instance for instance in instances if isinstance(instance, VersionedModel)]
        stored = {}
        for chunk in chunks(versioned):
            stored.update(
                self._meta.model._base_manager.select_for_update()
                .filter(pk__in=[instance.pk for instance in chunk])
                .values_list("pk", "version")
            )
        for instance in versioned:
            if stored.get(instance.pk) != instance._loaded_version:
                error = stale_error(type(instance), instance.pk)
                raise ValidationError(self.row_message(instance._import_row_number, error.messages[0]))

    @contextmanager
    def batch_write(self, result, instances):
        """One savepoint a batch; a refusal by the database is the file's error, and nothing is written."""
        try:
            with transaction.atomic():
                yield
        except ValidationError as error:
            result.append_base_error(self.get_error_result_class()(ValueError(error.messages[0])))
        except IntegrityError as error:
            rows = "、".join(str(self.excel_row(instance._import_row_number)) for instance in instances[:1])
            message = f"写入数据库时被拒绝（第 {rows} 行起的一批记录与已有记录冲突或不合规），未写入任何记录：{error}"
            result.append_base_error(self.get_error_result_class()(ValueError(message)))

"""
`PortalResource`, the base resource every import/export of the portal builds on,
with its instance loader and result.
"""

from collections import OrderedDict

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from import_export import fields, resources
from import_export.results import RowResult

from bureau.base.concurrency import stale_error
from bureau.base.masking import Mask, mask_for, shown
from bureau.base.scoping import township_of_record
from bureau.importexport.cleaners import column_reader, instance_maker
from bureau.importexport.columns import HeaderRowMixin
from bureau.importexport.formats import escape_formula, unescape_formula
from bureau.importexport.keys import ImportKeyMixin
from bureau.importexport.ledger_rows import LedgerRowsMixin
from bureau.importexport.loading import PortalInstanceLoader, PortalResult, changed_fields, stored_values
from bureau.importexport.template import import_template
from bureau.importexport.widgets import MASKED_VALUE, CountWidget, is_blank
from bureau.importexport.writes import BatchWritesMixin
from bureau.models import ReviewStatus, TownshipRecord, VersionedModel
from bureau.models.rules import decided_field_errors
from bureau.roles import reviews_records
from bureau.rules.services import ScopeError, check_write_allowed

# Rows written per bulk_create / bulk_update (and history and audit rows with them).
BATCH_SIZE = 500
# Validation stops once this many rows were refused: the file is not imported, and the list the
# user reads (and the job keeps) stays bounded whatever the size of the file.
MAX_REFUSED_ROWS = 200
MORE_ERRORS_MESSAGE = "还有更多错误未列出：请改正以上错误后重新上传，以查看其余错误。"


class VersionWidget(CountWidget):
    template_note = "导出的表格修改后再导入时保留本列，用于发现导出后他人所做的修改；新增的记录留空"
    sample = ""


class PortalResource(HeaderRowMixin, ImportKeyMixin, LedgerRowsMixin, BatchWritesMixin, resources.ModelResource):
    """
    Base resource of the portal; area apps subclass it for their models.

    - knows the requesting `user`: imports see only what the user may
      (`visible_to`) and write only what `check_write_allowed` lets them;
      workflow records follow `record_save`'s rule (approved for bureau staff,
      submitted for stations; a station's change of an approved record is
      proposed through `change_propose`, not written);
    - every value of a field the model declares sensitive (`sensitive_fields`,
      followed through relations: `person__id_number`) is exported through
      `masking.shown`: whole for users with the permission, masked otherwise
      (and without a user), counted by an open `masking.disclosure()`;
    - every row is validated with the model's `full_clean()`, once; the import is
      all or nothing: any invalid row rolls the whole file back, and once a row is
      refused nothing more is written; a dry run writes nothing;
    - rows are written in batches of `BATCH_SIZE`: new ones with
      `bureau.base.bulk.insert_rows`, changed ones by one UPDATE per set of changed
      fields, with one history row and one audit event each; a row equal to the
      stored record is skipped (nothing written, nothing recorded). Batch writes
      do not call the model's `save()`: what it derives must also be set by `clean()`
      (as `Person.clean` sets the birth date from the ID number);
    - lookups are read once per import: widgets with `preload` (townships by name,
      people by ID number) and the instance loader (existing records by the key);
    - the header row is found below title rows, its cells matched by name, alias or saved
      mapping, other columns ignored (`HeaderRowMixin`, bureau.importexport.headers);
    - `result.row_messages` lists the problems as 「第 N 行：…」 with N the row
      number as Excel shows it (header on row 3: the first data row is row 4);
    - strings starting with = + - @ tab or CR are exported with a leading `'`
      (numbers and dates stay native), and the `'` is stripped on import;
    - a versioned record has a 版本 column: an exported file edited and imported
      again is refused, row by row, where the record has changed since the export
      (bureau.base.concurrency); a blank 版本 (a new record, a hand-made list) is not checked;
    - a model paying through the ledger (`ledger_payment`) gets its ledger rows with the rows
      written, whatever the resource (`LedgerRowsMixin`): no resource can forget to pay.
    """

    # A ledger's rows are added by an import, never changed by one: set to the message a row gets
    # when it names a stored record with other values (an equal row is skipped as unchanged).
    create_only = ""
    # The import template's sample row, where the widgets' samples do not fit: {column: value}.
    sample_row: dict = {}

    class Meta:
        clean_model_instances = True
        use_transactions = True
        # Rows are validated one by one and written in batches (`bulk_create` / `bulk_update`).
        use_bulk = True
        batch_size = BATCH_SIZE
        instance_loader_class = PortalInstanceLoader
        # Blank lines (often left at the end of a sheet) are skipped silently.
        report_skipped = False
        # No per-row diff: the import job's preview is a summary with a masked sample of the
        # changes (bureau.importexport.jobs), never a page of every row.
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        if issubclass(self._meta.model, VersionedModel) and "version" not in self.fields:
            self.fields["version"] = fields.Field("version", "版本", widget=VersionWidget(), saves_null_values=False)
        self.file_problem = False
        self._readers = None
        self._model_rules = None
        self._make_instance = None
        self.refused_rows = 0
        self.more_errors = False
        self.set_user(user)

    def set_user(self, user) -> None:
        """The user the resource works for; widgets that look people up or mask get it too."""
        self.user = user
        for field in self.fields.values():
            if hasattr(field.widget, "user"):
                field.widget.user = user

    @classmethod
    def get_result_class(cls):
        return PortalResult

    def get_queryset(self):
        # Without a user the resource is used by code (a command, a test), not by a person.
        queryset = super().get_queryset()
        if self.user is not None and hasattr(queryset, "visible_to"):
            return queryset.visible_to(self.user)
        return queryset

    # --- columns -------------------------------------------------------------

    def import_columns(self) -> list[fields.Field]:
        """The columns a user fills in: the template's header row."""
        return [field for field in self.get_import_fields() if not field.readonly]

    def column_name_for(self, key: str) -> str | None:
        """Column (or, failing that, model field label) of an error-dict key."""
        if key == NON_FIELD_ERRORS:
            return None
        for name, field in self.fields.items():
            if key in (name, field.attribute):
                return field.column_name
        try:
            return str(self._meta.model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return key

    def import_template(self) -> bytes:
        """An empty xlsx to fill in: the header row, text columns as text, notes and the sample row on a second sheet."""
        return import_template(self._meta.model, self.import_columns(), self.sample_row)

    # --- export --------------------------------------------------------------

    def mask_of(self, field: fields.Field) -> Mask | None:
        """The mask the model declares for the field's attribute path; None when it is not sensitive."""
        return mask_for(self._meta.model, field.attribute) if field.attribute else None

    def shown_value(self, field: fields.Field, value):
        """A rendered value as the user may see it: sensitive fields through `masking.shown`."""
        mask = self.mask_of(field)
        return value if mask is None else shown(self.user, value, mask)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(self.shown_value(field, super().export_field(field, instance, **kwargs)))

    # --- import --------------------------------------------------------------

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # All or nothing, whoever calls: the admin's confirm step does not ask for a
        # rollback on validation errors, so a file changed between the two steps
        # (or a crafted confirm request) would otherwise write its valid rows.
        if self.user is None:
            self.set_user(kwargs.get("user"))
        # Decided once per import, not once a row: whether this user's writes are approved.
        self.reviews = reviews_records(self.user)
        self.first_row_of_key = {}
        self.proposals = []
        self.ledger_rows_start()
        self.refused_rows = 0
        self.more_errors = False
        self.create_instances.clear()
        self.update_instances.clear()
        # Made once per import, when the columns are known (`before_import` reads the header row).
        self._readers = None
        self._model_rules = None
        self._make_instance = None
        result = super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )
        result.row_messages = self.error_messages(result)
        return result

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """A masked value in a sensitive column (re-importing a masked export) is said to be masked, not malformed."""
        value = row.get(field.column_name)
        masked = isinstance(value, str) and "*" in value and not getattr(field.widget, "says_masked", False)
        if masked and self.mask_of(field) is not None:
            raise ValueError(MASKED_VALUE)
        return super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        """
        The row's cells into the instance, each column read as `import_field` reads it, by a reader
        made once per import (bureau.importexport.cleaners); one error per column, as the kit's.
        A resource with its own `import_field` reads its columns through it.
        """
        if type(self).import_field is not PortalResource.import_field:
            return super().import_instance(instance, row, **kwargs)
        if self._readers is None:
            self._readers = [
                reader
                for field in self.get_import_fields()
                if (reader := column_reader(field, self.masked_check(field))) is not None
            ]
        errors = {}
        for key, read in self._readers:
            try:
                read(instance, row, kwargs)
            except ValueError as error:
                errors[key] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def init_instance(self, row=None):
        # A new record for a row, as `model()` makes it (bureau.importexport.cleaners.instance_maker).
        if self._make_instance is None:
            self._make_instance = instance_maker(self._meta.model)
        return self._make_instance()

    def masked_check(self, field) -> bool:
        return not getattr(field.widget, "says_masked", False) and self.mask_of(field) is not None

    def import_row(self, row, instance_loader, **kwargs):
        """
        One row, unless MAX_REFUSED_ROWS rows were refused already: the file will not be imported,
        the user has enough to correct, and a file of 100,000 bad rows must not keep 100,000 errors.
        """
        if self.refused_rows >= MAX_REFUSED_ROWS:
            self.more_errors = True
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        row_result = self.import_one_row(row, instance_loader, **kwargs)
        if row_result.import_type in (RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR):
            self.refused_rows += 1
        return row_result

    def import_one_row(self, row, instance_loader, **kwargs):
        """
        One row: read, validated (`full_clean` once), compared with the stored record and, when
        new or changed, queued for the batch writes (`bulk_create` / `bulk_update`). A row equal
        to the stored record is skipped: nothing written, nothing recorded.
        """
        row = OrderedDict((column, unescape_formula(value)) for column, value in row.items())
        if not self._meta.store_instance:
            # The admin asks for the instances, to log its actions.
            self._meta.store_instance = kwargs.get("retain_instance_in_row_result", False)
        row_result = self.get_row_result_class()()
        row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        if self.file_problem or all(is_blank(value) for value in row.values()):
            return row_result
        try:
            instance, new = self.get_or_init_instance(instance_loader, row)
            row_result.import_type = RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            # As loaded: a second row of the same record (see `repeats_a_row`) keeps the first's.
            if not hasattr(instance, "_import_stored"):
                instance._import_stored = None if new else stored_values(instance)
            stored = instance._import_stored
            if stored is not None and isinstance(instance, VersionedModel):
                instance._loaded_version = stored["version"]
            errors = {}
            try:
                self.import_instance(instance, row, **kwargs)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            if not (new or errors) and self.is_unchanged(instance, stored):
                # Equal to the stored record, valid when it was stored: nothing to check or to write
                # (an earlier row of the same key saying something else is still refused).
                self.repeats_a_row(instance, row, instance_loader, kwargs["row_number"])
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
                return row_result
            if not new and self.create_only:
                raise ValidationError({NON_FIELD_ERRORS: [self.create_only]})
            self.check_key(instance, new, row, instance_loader, errors)
            self.validate_instance(instance, errors, validate_unique=not self.key_covers_uniqueness(instance_loader))
            changed = [] if new else changed_fields(instance, stored)
            if self.repeats_a_row(instance, row, instance_loader, kwargs["row_number"]) or not (new or changed):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
                return row_result
            instance._import_row_number = kwargs["row_number"]
            self.save_instance(instance, new, row, stored=stored, changed=changed, **kwargs)
            row_result.add_instance_info(instance)
            if self._meta.store_instance:
                row_result.instance = instance
        except ValidationError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        except Exception as error:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(self.get_error_result_class()(error, row=row, number=kwargs["row_number"]))
        return row_result

    @staticmethod
    def is_unchanged(instance, stored: dict) -> bool:
        if hasattr(instance, "assign_township"):
            instance.assign_township()
        return not changed_fields(instance, stored)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # The record's township follows what it is about (the person); set it before it is checked.
        if hasattr(instance, "assign_township"):
            instance.assign_township()
        if self.user is not None:
            try:
                check_write_allowed(user=self.user, record=instance)
            except ScopeError as error:
                # A township that cannot be read because a cell could not (an unknown person
                # or township) is that cell's error, already reported; not also "out of scope".
                if not (errors and township_of_record(instance) is None):
                    lookup = instance.township_lookup
                    errors.setdefault(lookup.split("__")[0], []).append(ValidationError(str(error)))
        reviews = self.reviews if getattr(self, "reviews", None) is not None else reviews_records(self.user)
        if self.user is not None and isinstance(instance, TownshipRecord) and not reviews:
            # What the bureau decides is not a station's to set, in a file either (bureau_decided_check).
            stored = getattr(instance, "_import_stored", None)
            current = type(instance)(**stored) if stored else None
            declared = getattr(type(instance), "bureau_decided_fields", ())
            for name, texts in decided_field_errors(instance, current=current, names=declared).items():
                errors.setdefault(name, []).extend(ValidationError(text) for text in texts)
        loaded = getattr(instance, "_loaded_version", None)
        if loaded is not None and "version" not in errors and instance.version != loaded:
            errors["version"] = [stale_error(type(instance), instance.pk)]
        # The records a cell named (a township, a person) were read by the widgets; Django would
        # read each again to check it exists. Relations left as stored were valid when stored.
        stored = getattr(instance, "_import_stored", None) or {}
        exclude = set(errors)
        for field in self.model_rules(type(instance))["relations"]:
            value = getattr(instance, field.attname)
            if value is not None and (field.is_cached(instance) or value == stored.get(field.attname)):
                exclude.add(field.name)
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        self.ledger_row_check(instance)

    def save_instance(self, instance, is_create, row, stored=None, changed=(), **kwargs):
        """
        Queue the row for the batch writes. Workflow records follow `record_save`'s rule: approved
        for reviewers, submitted otherwise; a station's change of an approved record is not
        written but proposed (`change_propose`), as when it edits the record in a form.
        """
        dry_run = self._is_dry_run(kwargs)
        workflow = isinstance(instance, TownshipRecord) and self.user is not None
        if workflow and not is_create and not self.reviews and stored["review_status"] == ReviewStatus.APPROVED:
            # Kept by a job's validation too (`kept_rows`); written by the import.
            if not dry_run or self.kept_rows is not None:
                self.proposals.append((instance, stored))
            return
        if workflow:
            if self.reviews:
                instance.approve(by=self.user)
            else:
                instance.submit(by=self.user)
        if self.user is not None:
            instance._history_user = self.user
        if is_create:
            self.create_instances.append(instance)
        else:
            instance._import_update_fields = changed_fields(instance, stored)
            self.update_instances.append(instance)

    # --- error messages ------------------------------------------------------

    def row_message(self, row_number: int, message: str, column: str | None = None) -> str:
        """「第 N 行：…」; the column is named unless the message already names it."""
        if column and column not in message:
            message = f"{column}，{message}"
        return f"第 {self.excel_row(row_number)} 行：{message}"

    def error_messages(self, result) -> list[str]:
        messages = [str(error.error) for error in result.base_errors]
        by_row = []
        for invalid in result.invalid_rows:
            for key, texts in invalid.error_dict.items():
                column = self.column_name_for(key)
                by_row += [(invalid.number, self.row_message(invalid.number, str(text), column)) for text in texts]
        for error_row in result.error_rows:
            by_row += [
                (error_row.number, self.row_message(error_row.number, f"无法导入（{error.error}）。"))
                for error in error_row.errors
            ]
        by_row.sort(key=lambda item: item[0])
        more = [MORE_ERRORS_MESSAGE] if self.more_errors else []
        return messages + [message for _, message in by_row] + more

"""
`PortalResource`, the base resource every import/export of the portal builds on,
with its instance loader and result.
"""

from collections import OrderedDict, defaultdict
from contextlib import contextmanager
from io import BytesIO

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Model, UniqueConstraint
from django.utils import timezone
from import_export import fields, resources
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result, RowResult
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from bureau.base.bulk import LOOKUP_CHUNK, chunks, insert_history, insert_rows, preparer
from bureau.base.concurrency import stale_error
from bureau.base.masking import Mask, mask_for, shown
from bureau.base.scoping import township_of_record
from bureau.importexport.formats import HEADER_ROWS, TEXT_FORMAT, escape_formula, excel_row, unescape_formula
from bureau.importexport.ledger_rows import LedgerRowsMixin
from bureau.importexport.widgets import CountWidget, is_blank
from bureau.models import ReviewStatus, TownshipRecord, VersionedModel
from bureau.models.changes import proposable_fields
from bureau.models.rules import decided_field_errors
from bureau.roles import reviews_records
from bureau.rules import audit
from bureau.rules.services import ScopeError, change_propose, check_write_allowed

# Rows written per bulk_create / bulk_update (and history and audit rows with them).
BATCH_SIZE = 500
# Validation stops once this many rows were refused: the file is not imported, and the list the
# user reads (and the job keeps) stays bounded whatever the size of the file.
MAX_REFUSED_ROWS = 200
MORE_ERRORS_MESSAGE = "还有更多错误未列出：请改正以上错误后重新上传，以查看其余错误。"


def stored_values(instance) -> dict:
    """{attname: value} of the record's columns as loaded, to compare the row with."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def changed_fields(instance, stored: dict) -> list[str]:
    """Names of the fields whose value differs from the stored one."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if getattr(instance, field.attname) != stored[field.attname]
    ]


def update_rows(model, names, instances) -> None:
    """
    UPDATE the fields `names` of each instance, one statement run for all of them
    (`executemany`). Django's `bulk_update` builds a CASE of every row for every field,
    which costs more than the rows' validation; rows changing the same fields take one
    plan here.
    """
    fields = [model._meta.get_field(name) for name in names]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    columns = [(field.attname, preparer(field, connection)) for field in fields]
    parameters = [
        [prepare(getattr(instance, attname)) for attname, prepare in columns] + [instance.pk] for instance in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, parameters)


def is_foreign_key(model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.many_to_one or field.one_to_one


def has_history(model) -> bool:
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


class PortalInstanceLoader(ModelInstanceLoader):
    """
    Finds the existing records of all rows in a few queries (through the
    resource's scoped queryset), by the import id fields (one, or several:
    a fair and a person). A key cell that cannot be read is left to the row's
    own validation, which reports it with the other errors of that row.

    It also notes the keys taken by records the user may not see (`taken`), so
    that a new row repeating one is refused without a query of its own.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = {}
        self.taken = set()
        model = resource._meta.model
        id_fields = [resource.fields.get(name) for name in resource.get_import_id_fields()]
        self.key_fields = None
        if not id_fields or None in id_fields or dataset is None:
            return
        try:
            self.model_fields = [model._meta.get_field(field.attribute) for field in id_fields]
        except (FieldDoesNotExist, TypeError):
            return
        if any(field.column_name not in (dataset.headers or []) for field in id_fields):
            return
        self.key_fields = id_fields
        keys = {key for row in dataset.dict if (key := self.key(row)) is not None}
        if not keys:
            return
        attnames = [field.attname for field in self.model_fields]
        values = [sorted({key[index] for key in keys}) for index in range(len(attnames))]
        # Chunked on the column with most values (the people of a fair's list); a column with few (the fair)
        # narrows each query, one with many is matched in memory instead.
        widest = max(range(len(attnames)), key=lambda index: len(values[index]))
        narrowing = {
            f"{attname}__in": values[index]
            for index, attname in enumerate(attnames)
            if index != widest and len(values[index]) <= LOOKUP_CHUNK
        }
        # The related records the columns show (a person's township), read with the records, not one by one.
        related = [
            field.attribute
            for field in resource.get_import_fields()
            if field.attribute and "__" not in field.attribute and is_foreign_key(model, field.attribute)
        ]
        for chunk in chunks(values[widest]):
            lookup = {f"{attnames[widest]}__in": chunk, **narrowing}
            for instance in self.get_queryset().filter(**lookup).select_related(*related):
                if (key := self.instance_key(instance)) in keys:
                    self.instances[key] = instance
            self.taken.update(key for key in model._base_manager.filter(**lookup).values_list(*attnames) if key in keys)
        self.taken.difference_update(self.instances)

    def key(self, row) -> tuple | None:
        """The row's import key as stored values (a related record by its pk); None when a cell is blank or unreadable."""
        try:
            values = [field.clean(row) for field in self.key_fields]
        except (ValueError, KeyError, ValidationError):
            return None
        if any(value in (None, "") for value in values):
            return None
        return tuple(value.pk if isinstance(value, Model) else value for value in values)

    def instance_key(self, instance) -> tuple:
        return tuple(getattr(instance, field.attname) for field in self.model_fields)

    def get_instance(self, row):
        if self.key_fields is None:
            return super().get_instance(row)
        return self.instances.get(self.key(row))


class PortalResult(Result):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Every problem of the file in Chinese, naming its Excel row; set by `PortalResource.import_data`.
        self.row_messages: list[str] = []


class VersionWidget(CountWidget):
    template_note = "导出的表格修改后再导入时保留本列，用于发现导出后他人所做的修改；新增的记录留空"


class PortalResource(LedgerRowsMixin, resources.ModelResource):
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
    - `result.row_messages` lists the problems as 「第 N 行：…」 with N the row
      number as Excel shows it (header = row 1, first data row = row 2);
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
        """An empty xlsx to fill in: the header row, text columns formatted as text, notes on a second sheet."""
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(self._meta.model._meta.verbose_name_plural)[:31]
        notes = workbook.create_sheet("填写说明")
        notes.append(["列", "说明"])
        for index, field in enumerate(self.import_columns(), start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(row=1, column=index, value=field.column_name)
            cell.font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(12, 2 * len(field.column_name) + 4)
            note = getattr(field.widget, "template_note", "")
            if getattr(field.widget, "excel_text", False):
                # Typed into a text column, an 18-digit number keeps all its digits.
                sheet.column_dimensions[letter].number_format = TEXT_FORMAT
                sheet.column_dimensions[letter].width = 22
                cell.number_format = TEXT_FORMAT
                note = "以文本格式填写（本列已设为文本格式）"
            notes.append([field.column_name, note])
        notes.append(
            [
                "",
                f"第 1 行为表头，请勿修改；从第 {HEADER_ROWS + 1} 行起每行一条记录。任何一行有错误时，整个文件都不会导入。",
            ]
        )
        notes.column_dimensions["A"].width = 16
        notes.column_dimensions["B"].width = 80
        sheet.freeze_panes = "A2"
        stream = BytesIO()
        workbook.save(stream)
        return stream.getvalue()

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

    def before_import(self, dataset, **kwargs):
        dataset.headers = ["" if header is None else str(header).strip() for header in dataset.headers or []]
        known = {field.column_name for field in self.fields.values()}
        required = [self.fields[key].column_name for key in self.get_import_id_fields() if key in self.fields]
        missing = [column for column in required if column not in dataset.headers]
        unknown = [header for header in dataset.headers if header and header not in known]
        problems = []
        if missing:
            problems.append("缺少必需的列：" + "、".join(missing))
        if unknown:
            problems.append("无法识别的列：" + "、".join(unknown))
        if problems:
            self.file_problem = True
            raise ValueError("；".join(problems) + "。请使用“下载导入模板”得到的表格填写，表头在第 1 行。")
        for field in self.get_import_fields():
            if hasattr(field.widget, "preload") and field.column_name in dataset.headers:
                field.widget.preload([unescape_formula(value) for value in dataset[field.column_name]])

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

    def key_covers_uniqueness(self, instance_loader) -> bool:
        """
        Are all the model's uniqueness rules the import key, which the loader has checked for the
        whole file at once? Then rows are not checked against the database one by one; otherwise
        (another unique field, a check constraint) `full_clean` checks each row as Django does.
        """
        if getattr(instance_loader, "key_fields", None) is None:
            return False
        meta = self._meta.model._meta
        key = {field.name for field in instance_loader.model_fields}
        rules = [{field.name} for field in meta.concrete_fields if field.unique and not field.primary_key]
        rules += [set(names) for names in meta.unique_together]
        for constraint in meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or constraint.condition or not constraint.fields:
                return False
            rules.append(set(constraint.fields))
        if any(field.unique_for_date or field.unique_for_month or field.unique_for_year for field in meta.fields):
            return False
        return all(rule == key for rule in rules)

    def check_key(self, instance, new, row, instance_loader, errors) -> None:
        """A new row whose key is taken by a record the user may not see is that row's error."""
        key = instance_loader.key(row) if getattr(instance_loader, "key_fields", None) is not None else None
        if new and key is not None and key in instance_loader.taken:
            names = tuple(field.name for field in instance_loader.model_fields)
            error_key = names[0] if len(names) == 1 else NON_FIELD_ERRORS
            errors.setdefault(error_key, []).append(instance.unique_error_message(type(instance), names))

    def repeats_a_row(self, instance, row, instance_loader, row_number) -> bool:
        """
        Has an earlier row of the file the same key? Then this row is the same record: skipped
        when it says the same, refused when it says something else.
        """
        if getattr(instance_loader, "key_fields", None) is None or (key := instance_loader.key(row)) is None:
            return False
        values = [getattr(instance, field.attname) for field in proposable_fields(type(instance))]
        first = self.first_row_of_key.setdefault(key, (row_number, values))
        if first[0] == row_number:
            return False
        if first[1] == values:
            return True
        columns = "、".join(field.column_name for field in instance_loader.key_fields)
        message = f"与第 {excel_row(first[0])} 行的{columns}相同，内容却不同：同一条记录在文件中只能出现一次。"
        raise ValidationError({NON_FIELD_ERRORS: [ValidationError(message, code="duplicate")]})

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
        if self.user is not None and isinstance(instance, TownshipRecord) and not reviews_records(self.user):
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
        for field in instance._meta.concrete_fields:
            value = getattr(instance, field.attname)
            if (
                field.is_relation
                and value is not None
                and (field.is_cached(instance) or value == stored.get(field.attname))
            ):
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
            if not dry_run:
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

    # --- batch writes --------------------------------------------------------------

    def writes_allowed(self, dry_run, result) -> bool:
        # All or nothing: once a row is refused nothing more is written (the transaction is rolled back).
        return not dry_run and result is not None and not result.has_errors() and not result.has_validation_errors()

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.create_instances = list(self.create_instances), []
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
            rows = "、".join(str(excel_row(instance._import_row_number)) for instance in instances[:1])
            message = f"写入数据库时被拒绝（第 {rows} 行起的一批记录与已有记录冲突或不合规），未写入任何记录：{error}"
            result.append_base_error(self.get_error_result_class()(ValueError(message)))

    # --- error messages ------------------------------------------------------

    def row_message(self, row_number: int, message: str, column: str | None = None) -> str:
        """「第 N 行：…」; the column is named unless the message already names it."""
        if column and column not in message:
            message = f"{column}，{message}"
        return f"第 {excel_row(row_number)} 行：{message}"

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

"""
The ledger's part of every import: a model declaring `ledger_payment` (bureau.rules.payments.ledger) keeps its
ledger rows in step when a file writes it, whichever resource imports it.

`PortalResource` builds on this, so no area resource has to remember a mixin: the kit writes rows
in bulk, without `save()`, which is what would otherwise sync the ledger (bureau.rules.payments.ledger's signals),
and a resource forgetting to sync would silently import records that pay nothing.

- at the preview already, two rows of the file paying the same person in the same programme and
  period are refused (the second row named, with the record's own duplicate message);
- the ledger rows of the rows written are synced in the batch's savepoint, in the import's
  transaction: a refusal by the ledger refuses the whole file, and nothing is written.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError

from bureau.rules.payments.ledger import declares_payment, linked_payment_sync, payment_of


class LedgerRowsMixin:
    """Used by `PortalResource` only: the calls are in its `import_data`, `validate_instance` and batch writes."""

    def pays_through_ledger(self) -> bool:
        return declares_payment(self._meta.model)

    def ledger_rows_start(self) -> None:
        """A new file: no row of it has paid yet."""
        self.ledger_rows = {}

    def ledger_row_check(self, instance) -> None:
        """A second row of the file paying what an earlier one pays (another record) refuses the row."""
        if not self.pays_through_ledger():
            return
        spec = payment_of(instance) if self.reviews else None
        if spec is None:
            return
        key = (spec.person.pk, spec.programme.pk, spec.period)
        record = self.ledger_record_key(instance)
        if self.ledger_rows.setdefault(key, record) != record:
            raise ValidationError(f"{spec.duplicate_message}（文件中另有一行同一人员、同一资金项目、同一期间的发放。）")

    def ledger_record_key(self, instance) -> tuple:
        """
        What makes two rows the same record (a repeated row is not a second payment): the stored
        record, else the values of the import key (the person, the occasion and the date of a visit).
        """
        if instance.pk:
            return ("pk", instance.pk)
        opts = instance._meta
        values = []
        for name in self.get_import_id_fields():
            field = self.fields.get(name)
            try:
                attname = opts.get_field(field.attribute).attname
            except (AttributeError, FieldDoesNotExist, TypeError):
                # No key to compare by: every new row is a record of its own.
                return ("row", id(instance))
            values.append(getattr(instance, attname))
        return ("key", *values) if values else ("row", id(instance))

    def ledger_rows_sync(self, instances) -> None:
        """The ledger rows of the records just written (called inside the batch's savepoint)."""
        if not self.pays_through_ledger():
            return
        for instance in instances:
            try:
                linked_payment_sync(record=instance)
            except ValidationError as error:
                raise ValidationError(self.row_message(instance._import_row_number, error.messages[0])) from None

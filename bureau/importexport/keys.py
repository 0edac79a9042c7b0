"""
The import key's rules of `PortalResource` (`ImportKeyMixin`): whether the key is all the model's
uniqueness, a new row whose key a hidden record holds, a record repeated in the file; and what
validating a row reads of the model's fields, read once per import.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import UniqueConstraint

from bureau.importexport.cleaners import relation_fields
from bureau.models.changes import proposable_fields


class ImportKeyMixin:
    """Used by `PortalResource` only (its `import_one_row` and `validate_instance`)."""

    # What validating a row of the model reads of its fields (`model_rules`); reset by each import.
    _model_rules = None

    def key_covers_uniqueness(self, instance_loader) -> bool:
        """
        Are all the model's uniqueness rules the import key, which the loader has checked for the
        whole file at once? Then rows are not checked against the database one by one; otherwise
        (another unique field, a check constraint) `full_clean` checks each row as Django does.
        """
        if getattr(instance_loader, "key_fields", None) is None:
            return False
        # The same for every row of the file: decided at its first row.
        if (covers := getattr(instance_loader, "covers_uniqueness", None)) is None:
            covers = instance_loader.covers_uniqueness = self.uniqueness_is_key(instance_loader)
        return covers

    def uniqueness_is_key(self, instance_loader) -> bool:
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
        values = [getattr(instance, attname) for attname in self.model_rules(type(instance))["proposable"]]
        first = self.first_row_of_key.setdefault(key, (row_number, values))
        if first[0] == row_number:
            return False
        if first[1] == values:
            return True
        columns = "、".join(field.column_name for field in instance_loader.key_fields)
        message = f"与第 {self.excel_row(first[0])} 行的{columns}相同，内容却不同：同一条记录在文件中只能出现一次。"
        raise ValidationError({NON_FIELD_ERRORS: [ValidationError(message, code="duplicate")]})

    def model_rules(self, model) -> dict:
        """What validating a row of `model` reads of its fields, read once per import."""
        if self._model_rules is None or self._model_rules["model"] is not model:
            proposable = [field.attname for field in proposable_fields(model)]
            self._model_rules = {"model": model, "proposable": proposable, "relations": relation_fields(model)}
        return self._model_rules

"""
Duplicate submissions, answered alike by the station kit and the API.

Two requests can both pass validation before either saves; the database's unique
index then refuses the second insert with an IntegrityError. `unique_violation` asks the
model again, once the first request has committed, so that the second is told in the
model's own words (a constraint's `violation_error_message`, a field's `unique` message)
rather than with a generic conflict. `request_fingerprint` tells a repeated request from
another one sent with the same idempotency key (`bureau.models.IdempotencyKey`).
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db.models import Model


def unique_violation(record: Model | None) -> ValidationError | None:
    """The model's uniqueness errors for `record` as things stand in the database; None if it sees none."""
    if record is None:
        return None
    errors: dict = {}
    for check in (record.validate_unique, record.validate_constraints):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    return ValidationError(errors) if errors else None


def request_fingerprint(*, method: str, path: str, data) -> str:
    """
    A digest of what a request asks for: the same key sent with other contents (a form
    page submitted, then changed and submitted again) is not a repeat of the first request.
    `data` is a dict (an API's JSON) or a QueryDict (a form post, every value of each name).
    """
    if hasattr(data, "lists"):
        data = dict(data.lists())
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()

"""
The station kit: what an area app's station pages are built from, so that they are
mostly declarations. A list page and a form page read:

    @station_required
    def grant_list(request):
        return record_list(request, Grant.objects.order_by("-granted_on", "pk"), "area/station/grant_list.html")

    @station_required
    def grant_edit(request, pk: int):
        grant = visible_record_or_404(request, Grant, pk)
        return record_form(request, GrantForm, "area/station/grant_form.html", instance=grant, success_url=GRANTS)

with `GrantForm` a `StationModelForm`. The rules live here, once:

- a list or a record is always `visible_to(request.user)`;
- every model choice of a station form is `visible_to(user)` too, whatever its queryset;
- a station form never offers a field the bureau decides (`bureau_decided_fields`), and the edit
  form of a record keeps the record's current choice of each relation even when it is closed
  now (a past selection, an inactive programme): `keep_current_choices`, called by `record_form`;
- a form is saved by its `submit(by=)` (for a model form: `bureau.rules.services.record_save`),
  and the page answers a ScopeError with the 403 page, a ValidationError with form
  errors and an IntegrityError with the duplicate message the view names (or else the
  model's own);
- a rendered form page is saved once: its hidden submission key is stored with the
  write (`bureau.models.IdempotencyKey`), and a second post of the page is sent on to
  the list with ALREADY_SUBMITTED_MESSAGE;
- a form page's draft (`bureau.station.drafts`, kept as the user types) is deleted when
  the page's post saves.

Templates: `station/record_list.html` and `station/record_form.html` are the page
skeletons an area's templates extend; `station/_form_fields.html`,
`station/_status_filter.html`, `station/_pagination.html` and
`station/_return_reason.html` are the shared partials.
"""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from bureau.base.concurrency import VersionFormMixin
from bureau.base.duplicates import request_fingerprint, unique_violation
from bureau.base.masking import sensitive_fields
from bureau.base.scoping import township_of
from bureau.models import FormDraft, IdempotencyKey, PendingChange, Person, ReviewStatus, TownshipRecord
from bureau.models.changes import PROPOSED_MESSAGE
from bureau.models.idempotency import KEY_MAX_LENGTH, KeyInUse
from bureau.models.rules import decided_fields
from bureau.roles import is_station_staff
from bureau.rules.disclosure import record_sensitive_view
from bureau.rules.services import ScopeError, record_save

PAGE_SIZE = 20
SUBMITTED_MESSAGE = "已提交，等待区局审核"
# The hidden field of `station/record_form.html` that makes a page's post count once.
SUBMISSION_KEY_FIELD = "submission_key"
ALREADY_SUBMITTED_MESSAGE = "该表单已提交，未重复保存。"
STALE_FORM_MESSAGE = "此页面的表单已提交过，本次未保存。如需再登记一条，请核对后重新提交。"
# Another township's person and a non-veteran are both outside the choices; one message covers both.
FOREIGN_PERSON_MESSAGE = "只能选择本乡镇（街道）登记在册的退役军人。"
FOREIGN_ANY_PERSON_MESSAGE = "只能选择本乡镇（街道）登记在册的人员。"


# --- access ------------------------------------------------------------------------------


def forbidden(request, message: str, *, show_admin_link: bool = False) -> HttpResponse:
    return render(request, "403.html", {"message": message, "show_admin_link": show_admin_link}, status=403)


def station_required(view):
    """Only station staff with a township; others are sent to the login page or told to use /admin/."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_station_staff(request.user):
            return forbidden(
                request, "服务站门户仅供服务站工作人员使用。局机关、局领导请从管理后台进入。", show_admin_link=True
            )
        if township_of(request.user) is None:
            # A station account without a township would see nothing and could save nothing.
            return forbidden(request, "您的账号尚未设置所属乡镇（街道），请联系区局管理员。")
        return view(request, *args, **kwargs)

    return wrapper


def visible_record_or_404(request, model_or_queryset, pk: int) -> Model:
    """The record the station user may see, or a 404 (another township's record does not exist for them)."""
    records = model_or_queryset
    if isinstance(records, type):
        records = records._default_manager.all()
    return get_object_or_404(records.visible_to(request.user), pk=pk)


# --- lists -------------------------------------------------------------------------------


def list_context(request, records: QuerySet) -> dict:
    """
    `page`, `status` and `status_choices` of a list page: the records the user may see,
    filtered by the review status in `?status=` and cut into pages by `?page=`.
    """
    records = with_pending_change_flag(records.visible_to(request.user))
    status = request.GET.get("status", "")
    if status in ReviewStatus.values:
        records = records.filter(review_status=status)
    else:
        status = ""  # an unknown status is ignored rather than showing an empty list
    # get_page() turns a missing, non-numeric or too-large page number into a valid page.
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "status": status, "status_choices": ReviewStatus.choices}


def with_pending_change_flag(records: QuerySet) -> QuerySet:
    """`has_pending_change` on each workflow record: a change the station proposed waits for review."""
    if not issubclass(records.model, TownshipRecord):
        return records
    waiting = PendingChange.objects.pending().filter(
        content_type=ContentType.objects.get_for_model(records.model, for_concrete_model=False),
        object_id=OuterRef("pk"),
    )
    return records.annotate(has_pending_change=Exists(waiting))


def record_list(request, records: QuerySet, template: str, context: dict | None = None) -> HttpResponse:
    """A list page (usually extending `station/record_list.html`); `records` must be ordered."""
    return render(request, template, {**list_context(request, records), **(context or {})})


# --- forms -------------------------------------------------------------------------------


def posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST must still be validated and answered with errors.
    return request.POST if request.method == "POST" else None


def add_save_errors(form, error: ValidationError) -> None:
    """Put model errors on their form field, or on the form when the field is not on it (e.g. township)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


def record_form(
    request,
    form_class: type[forms.BaseForm],
    template: str,
    *,
    success_url: str,
    instance: Model | None = None,
    success_message: str | Callable[[Any], str] = SUBMITTED_MESSAGE,
    duplicate: tuple[str | None, str] | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """
    The one save/error path of a station form page.

    The form is made for the user (`form_class(data, user=, instance=)`); on a valid
    POST its `submit(by=)` saves. A ScopeError is the 403 page; a ValidationError goes
    onto the form; an IntegrityError (two clerks saving the same thing at the same
    moment: the unique index decides) becomes `duplicate` = (field, message) when the
    view names one, else the model's own uniqueness message for the form's instance.
    On success: the message (a string, or a function of what `submit` returned) and a
    redirect to `success_url`. The template gets `form`, `record` (the form's instance,
    if any), `cancel_url` (`success_url` unless `context` says) and `submission_key`.

    Each rendering of the page carries a new random `submission_key` (kept while the
    form comes back with errors), saved with the write: a second post of the page (a
    double tap, or one sent alongside, which waits for the first) saves nothing and is
    sent to `success_url` with ALREADY_SUBMITTED_MESSAGE.
    """
    kwargs = {"user": request.user}
    proposals = proposal_context(request.user, instance)
    if instance is not None:
        kwargs["instance"] = instance
        if request.method != "POST" and proposals["pending_change"]:
            # The station goes on from what it proposed, not from the approved values.
            for attname, value in proposals["pending_change"].new_values().items():
                setattr(instance, attname, value)
    form = form_class(posted(request), **kwargs)
    if hasattr(form, "keep_current_choices"):
        form.keep_current_choices()
    if request.method != "POST" and instance is not None and instance.pk:
        # The edit form of a stored record shows its whole sensitive values: an audit event.
        record_sensitive_view(request, instance, [f for f in sensitive_fields(type(instance)) if f in form.fields])
    key = posted_submission_key(request)
    fingerprint = post_fingerprint(request) if key else ""
    earlier = None
    if request.method == "POST":
        try:
            # The key first: a post of the same page sent alongside waits here for this one to
            # finish, then finds the key taken. Validation and the write follow under it.
            with transaction.atomic():
                claim = (
                    IdempotencyKey.objects.claim(user=request.user, key=key, fingerprint=fingerprint) if key else None
                )
                if form.is_valid():
                    result = form.submit(by=request.user)
                    if claim is not None:
                        claim.finish(result=result, status_code=302)
                    # What the user typed is saved now: its draft (bureau.station.drafts) goes.
                    FormDraft.objects.filter(user=request.user, key=request.path).delete()
                    if getattr(result, "proposed_change", None) is not None:
                        success_message = PROPOSED_MESSAGE
                    messages.success(request, success_message(result) if callable(success_message) else success_message)
                    return redirect(success_url)
                transaction.set_rollback(True)  # a refused post leaves its key to the corrected one
        except KeyInUse as in_use:
            earlier = in_use.earlier
        except ScopeError as error:
            return forbidden(request, str(error))
        except ValidationError as error:
            add_save_errors(form, error)
        except IntegrityError:
            if duplicate is not None:
                form.add_error(*duplicate)
            elif (explained := unique_violation(getattr(form, "instance", None))) is not None:
                add_save_errors(form, explained)
            else:
                raise
    if earlier is not None:
        if earlier.matches(fingerprint):
            messages.info(request, ALREADY_SUBMITTED_MESSAGE)
            return redirect(success_url)
        # The page was submitted, then changed and submitted again (the back button): it needs a new key.
        messages.warning(request, STALE_FORM_MESSAGE)
        key = None
    page_context = {
        "form": form,
        "record": getattr(form, "instance", None),
        "cancel_url": success_url,
        **proposals,
        "submission_key": key or new_submission_key(),
    }
    return render(request, template, {**page_context, **(context or {})})


def proposal_context(user, record) -> dict:
    """
    `pending_change` (the change of an approved record that waits for review, with its
    `pending_rows` old → new) and `returned_change` (the last change the bureau returned,
    when none waits since), for the station to see on the record's form.
    """
    context = {"pending_change": None, "pending_rows": [], "returned_change": None}
    if record is None or record.pk is None or not isinstance(record, TownshipRecord):
        return context
    latest = PendingChange.objects.of(record).select_related("proposed_by", "reviewed_by").first()
    if latest is not None and latest.status == PendingChange.Status.PENDING:
        context["pending_change"] = latest
        context["pending_rows"] = latest.rows(user)
    elif latest is not None and latest.status == PendingChange.Status.RETURNED:
        context["returned_change"] = latest
    return context


def new_submission_key() -> str:
    return uuid.uuid4().hex


def posted_submission_key(request) -> str | None:
    """The key the posted page carried; None for a GET, a page without one, or a malformed one."""
    if request.method != "POST":
        return None
    key = request.POST.get(SUBMISSION_KEY_FIELD, "").strip()
    return key if 0 < len(key) <= KEY_MAX_LENGTH else None


def post_fingerprint(request) -> str:
    # The CSRF token may change between two posts of one page (another tab logged in again).
    data = request.POST.copy()
    for name in (SUBMISSION_KEY_FIELD, "csrfmiddlewaretoken"):
        data.pop(name, None)
    return request_fingerprint(method=request.method, path=request.path, data=data)


def set_blank_label(field: forms.Field, label: str) -> None:
    """Say in words what leaving a choice empty means, instead of Django's "---------"."""
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = label
    else:
        field.choices = [("", label), *[(value, text) for value, text in field.choices if value != ""]]


class StationFormMixin(VersionFormMixin):
    """
    A form of the station portal, made for one user (`user=`).

    Every model choice it offers is limited to what that user may see: the declared
    queryset says which records are candidates, `visible_to(user)` is applied here. A
    model form leaves out the fields the bureau decides (`bureau.models.rules.decided_fields`).
    `blank_labels` (`{field name: label}`) names the empty choice of select fields.
    `submit(by=)` saves what the form holds; by default `record_save` of `record()`.
    A form that edits a record (`instance`) carries its version and refuses a stale save.
    """

    blank_labels: dict[str, str] = {}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        model = getattr(getattr(self, "_meta", None), "model", None)
        if model is not None:
            for name in decided_fields(model):
                self.fields.pop(name, None)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and hasattr(field.queryset, "visible_to"):
                field.queryset = field.queryset.visible_to(user)
        for name, label in self.blank_labels.items():
            set_blank_label(self.fields[name], label)
        self.add_version_field(getattr(self, "instance", None))

    def clean(self):
        cleaned_data = super().clean()
        self.check_version(cleaned_data)
        return cleaned_data

    def keep_current_choices(self) -> None:
        """
        The record being edited keeps its current choice of each relation, also one no longer
        offered (a closed selection, an inactive programme): a correction of another field must
        not fail on a value the user never touched. Called once the form's querysets are final.
        """
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None or instance._state.adding:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or isinstance(field, forms.ModelMultipleChoiceField):
                continue
            try:
                model_field = instance._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            current = getattr(instance, getattr(model_field, "attname", name), None)
            if current is None or not model_field.is_relation:
                continue
            queryset = field.queryset
            if queryset.query.is_sliced:
                continue  # a sliced list cannot be combined; none of the kit's forms slices one
            extra = queryset.model._base_manager.filter(pk=current)
            if queryset.query.distinct:
                extra = extra.distinct()
            field.queryset = queryset | extra

    def record(self) -> Model:
        """The unsaved record the cleaned form describes."""
        raise NotImplementedError

    def submit(self, *, by):
        # A returned (or approved) record changed by the station goes back to the bureau for review.
        return record_save(record=self.record(), by=by)


class StationForm(StationFormMixin, forms.Form):
    pass


class StationModelForm(StationFormMixin, forms.ModelForm):
    def record(self) -> Model:
        return self.save(commit=False)


class DateInput(forms.DateInput):
    # type=date gives phones their native date picker; the value must then be ISO formatted.
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# --- the person picker -------------------------------------------------------------------


def person_label(person: Person) -> str:
    # The last four digits tell namesakes apart and are shown even in masked numbers.
    return f"{person.name}（身份证尾号 {person.id_number[-4:]}）"


class PersonPickerMixin:
    """
    Choice of registered people, labelled by name and ID tail. Veterans only unless
    `veterans_only=False`; in a station form, only the user's township's (see
    `StationFormMixin`). Whatever queryset a model form passes is replaced.
    """

    def __init__(self, *, veterans_only: bool = True, **kwargs):
        people = Person.objects.veterans() if veterans_only else Person.objects.all()
        kwargs["queryset"] = people.order_by("name", "pk")
        message = FOREIGN_PERSON_MESSAGE if veterans_only else FOREIGN_ANY_PERSON_MESSAGE
        kwargs["error_messages"] = {
            "invalid_choice": message,
            "invalid_pk_value": message,
            **(kwargs.get("error_messages") or {}),
        }
        # Shown by station/_form_fields.html when a checkbox list has nobody to offer.
        self.empty_choices_text = "本乡镇（街道）还没有登记{}。".format("退役军人" if veterans_only else "人员")
        super().__init__(**kwargs)

    def label_from_instance(self, person: Person) -> str:
        return person_label(person)


class PersonChoiceField(PersonPickerMixin, forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", "请选择")
        super().__init__(**kwargs)


class PersonChoicesField(PersonPickerMixin, forms.ModelMultipleChoiceField):
    pass

"""
The station portal: township staff register and follow their own township's people.

Views stay thin: permission (`station_required`) → form → `bureau.services` → redirect.
What a station may see is decided by `Person.objects.visible_to(user)` only.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render

from bureau.masking import id_number_for, phone_for
from bureau.models import Person, ReviewStatus
from bureau.roles import is_station_staff
from bureau.scoping import township_of
from bureau.services import ScopeError, person_save
from bureau.station.forms import PersonForm

PAGE_SIZE = 20


def forbidden(request, message: str, *, show_admin_link: bool = False):
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


@station_required
def home(request):
    people = Person.objects.visible_to(request.user)
    counts = dict(people.order_by().values_list("review_status").annotate(n=Count("pk")))
    status_counts = [
        {"value": value, "label": label, "count": counts.get(value, 0)} for value, label in ReviewStatus.choices
    ]
    return render(
        request,
        "station/home.html",
        {"township": township_of(request.user), "status_counts": status_counts, "total": sum(counts.values())},
    )


@station_required
def submissions(request):
    people = Person.objects.visible_to(request.user).order_by("-updated_at", "pk")
    status = request.GET.get("status", "")
    if status in ReviewStatus.values:
        people = people.filter(review_status=status)
    else:
        status = ""  # an unknown status is ignored rather than showing an empty list
    query = request.GET.get("q", "").strip()
    people = people.search(query)
    # get_page() turns a missing, non-numeric or too-large page number into a valid page.
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page:
        person.shown_id_number = id_number_for(request.user, person.id_number)
    return render(
        request,
        "station/submissions.html",
        {"page": page, "status": status, "query": query, "status_choices": ReviewStatus.choices},
    )


def add_save_errors(form, error: ValidationError) -> None:
    """Put model errors on their form field, or on the form when the field is not on it (e.g. township)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


def _save_person(request, person: Person | None):
    if person is None:
        # The township is the station's own, whatever the request says.
        person = Person(township=township_of(request.user))
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            person_save(person=form.save(commit=False), by=request.user)
        except ScopeError as error:
            return forbidden(request, str(error))
        except ValidationError as error:
            add_save_errors(form, error)
        except IntegrityError:
            # Two stations saving the same ID at the same moment: the unique index decides.
            form.add_error("id_number", "该身份证号已登记。")
        else:
            messages.success(request, "已提交，等待区局审核")
            return redirect("station:submissions")
    return render(request, "station/person_form.html", {"form": form, "person": person})


@station_required
def person_create(request):
    return _save_person(request, None)


@station_required
def person_edit(request, pk: int):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    return _save_person(request, person)


@station_required
def person_detail(request, pk: int):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "station/person_detail.html",
        {
            "person": person,
            "shown_id_number": id_number_for(request.user, person.id_number),
            "shown_phone": phone_for(request.user, person.phone),
            "categories": person.categories.all(),
            "merits": person.merits.all(),
        },
    )

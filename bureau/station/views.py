"""
The station portal: township staff register and follow their own township's people.

Views stay thin: permission (`station_required`) → form → `bureau.rules.services` → redirect,
built on the station kit (`bureau.station.kit`) that area apps' station pages use too.
What a station may see is decided by `Person.objects.visible_to(user)` only.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bureau.base.masking import shown_field
from bureau.base.scoping import township_of
from bureau.models import Notice, Person, ReviewStatus
from bureau.rules.disclosure import revealing
from bureau.station.forms import PersonForm
from bureau.station.kit import proposal_context, record_form, station_required, visible_record_or_404
from bureau.station.overview import home_groups, record_groups, record_types, submissions_page, type_by_key

#: Unread notices shown on the home page (the newest; the rest follow once these are read).
HOME_NOTICES = 10


def unread_notices(user):
    return Notice.objects.filter(recipient=user, read_at__isnull=True)


@station_required
def home(request):
    groups = home_groups(request.user)
    # The registry's own figures (the core's first type is the person).
    counts = groups[0]["rows"][0]["all_counts"] if groups and groups[0]["rows"] else {}
    status_counts = [
        {"value": value, "label": label, "count": counts.get(value, 0)} for value, label in ReviewStatus.choices
    ]
    unread = unread_notices(request.user)
    return render(
        request,
        "station/home.html",
        {
            "township": township_of(request.user),
            "groups": groups,
            "status_counts": status_counts,
            "total": sum(counts.values()),
            "notices": list(unread[:HOME_NOTICES]),
            "notice_count": unread.count(),
        },
    )


@station_required
def submissions(request):
    """Every record type's records of the township, newest first, by status, type and person name."""
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in ReviewStatus.values:
        status = ""  # an unknown status is ignored rather than showing an empty list
    chosen = type_by_key(request.GET.get("type", ""))
    types = [chosen] if chosen is not None else record_types()
    page = submissions_page(request.user, types=types, status=status, query=query, page_number=request.GET.get("page"))
    for record in page:
        if isinstance(record, Person):
            # A list is masked for every role; the person's own page shows the whole number.
            record.shown_id_number = shown_field(request.user, record, "id_number")
    return render(
        request,
        "station/submissions.html",
        {
            "page": page,
            "status": status,
            "status_choices": ReviewStatus.choices,
            "query": query,
            "record_type": chosen.key if chosen is not None else "",
            "type_groups": record_groups(),
        },
    )


@station_required
def notice_open(request, pk: int):
    """A notice followed: marked read, then its page. Only the user's own notices exist here."""
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    target = notice.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("station:home")
    return redirect(target)


@station_required
@require_POST
def notices_read_all(request):
    marked = unread_notices(request.user).update(read_at=timezone.now())
    if marked:
        messages.success(request, f"已将 {marked} 条提醒标为已读。")
    return redirect("station:home")


@station_required
@require_POST
def person_find(request):
    """The full ID number in a POST body (never in a URL, nor in an access log) leads to the person's page."""
    number = (request.POST.get("id_number") or "").strip().upper()
    person = Person.objects.visible_to(request.user).filter(id_number=number).first() if number else None
    if person is None:
        messages.warning(
            request, "未找到该身份证号，或该人员不在本乡镇（街道）。" if number else "请输入完整身份证号。"
        )
        return redirect("station:submissions")
    return redirect("station:person_detail", pk=person.pk)


def _save_person(request, person: Person, *, cancel_url: str):
    return record_form(
        request,
        PersonForm,
        "station/person_form.html",
        instance=person,
        success_url=reverse("station:submissions"),
        # Two stations saving the same ID at the same moment: the unique index decides.
        duplicate=("id_number", "该身份证号已登记。"),
        context={"cancel_url": cancel_url},
    )


@station_required
def person_create(request):
    # The township is the station's own, whatever the request says.
    person = Person(township=township_of(request.user))
    return _save_person(request, person, cancel_url=reverse("station:submissions"))


@station_required
def person_edit(request, pk: int):
    person = visible_record_or_404(request, Person, pk)
    return _save_person(request, person, cancel_url=reverse("station:person_detail", args=[pk]))


@station_required
def person_detail(request, pk: int):
    person = visible_record_or_404(request, Person, pk)
    # One person's page: whole values for a role with the permission, an audit event each time.
    with revealing(request, person):
        shown_id_number = shown_field(request.user, person, "id_number")
        shown_phone = shown_field(request.user, person, "phone")
        proposal = proposal_context(request.user, person)
    return render(
        request,
        "station/person_detail.html",
        {
            "person": person,
            "shown_id_number": shown_id_number,
            "shown_phone": shown_phone,
            "categories": person.categories.all(),
            "merits": person.merits.all(),
            **proposal,
        },
    )

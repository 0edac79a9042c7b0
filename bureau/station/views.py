"""
The station portal: township staff register and follow their own township's people.

Views stay thin: permission (`station_required`) → form → `bureau.rules.services` → redirect,
built on the station kit (`bureau.station.kit`) that area apps' station pages use too.
What a station may see is decided by `Person.objects.visible_to(user)` only.
"""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bureau.base.masking import shown_field
from bureau.base.scoping import township_of
from bureau.models import Person, ReviewStatus
from bureau.rules.disclosure import revealing
from bureau.station.forms import PersonForm
from bureau.station.kit import list_context, proposal_context, record_form, station_required, visible_record_or_404


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
    query = request.GET.get("q", "").strip()
    context = list_context(request, Person.objects.order_by("-updated_at", "pk").search(query))
    for person in context["page"]:
        # A list is masked for every role; the person's own page shows the whole number.
        person.shown_id_number = shown_field(request.user, person, "id_number")
    return render(request, "station/submissions.html", {**context, "query": query})


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

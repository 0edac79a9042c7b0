"""
The station portal: township staff register and follow their own township's people.

Views stay thin: permission (`station_required`) → form → `bureau.services` → redirect,
built on the station kit (`bureau.station.kit`) that area apps' station pages use too.
What a station may see is decided by `Person.objects.visible_to(user)` only.
"""

from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse

from bureau.masking import shown_field
from bureau.models import Person, ReviewStatus
from bureau.scoping import township_of
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
    context = list_context(request, Person.objects.order_by("-updated_at", "pk").search(query, by=request.user))
    for person in context["page"]:
        person.shown_id_number = shown_field(request.user, person, "id_number")
    return render(request, "station/submissions.html", {**context, "query": query})


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
    return render(
        request,
        "station/person_detail.html",
        {
            "person": person,
            "shown_id_number": shown_field(request.user, person, "id_number"),
            "shown_phone": shown_field(request.user, person, "phone"),
            "categories": person.categories.all(),
            "merits": person.merits.all(),
            **proposal_context(request.user, person),
        },
    )

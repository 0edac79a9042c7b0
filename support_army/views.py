"""
Station portal pages of military-civilian support: a station delivers its township's merit
notices (送喜报, several at once as one batch) and keeps the homecoming registrations of its
returning veterans with their checklist (返乡报到事项). Built on the station kit: lists and
records are `visible_to(user)`, writes go through the form's `submit`, errors are answered in
one place (bureau.station.kit).

The public page of the 爱心拥军团 alliance (no login) is `alliance`, mounted from `public_urls`.
"""

from functools import partial

from django.db.models import Count, Q, Value
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET

from bureau.station.kit import record_form, record_list, station_required, visible_record_or_404
from support_army.forms import ChecklistForm, DeliveryForm, HomecomingRegistrationForm, due_notices
from support_army.models import AllianceMember, HomecomingRegistration, HomecomingStep, MeritNotice

NOTICES = reverse_lazy("station:support_army:notice_list")
HOMECOMINGS = reverse_lazy("station:support_army:homecoming_list")
HOMECOMING_FORM = "support_army/station/homecoming_form.html"


# --- 送喜报 ---------------------------------------------------------------------------------------


@station_required
def notice_list(request):
    """The township's merit notices, those still due first."""
    notices = MeritNotice.objects.select_related("soldier", "merit", "recipient", "batch").order_by(
        "-delivered_on", "-merit__year", "soldier__name", "pk"
    )
    due = due_notices().visible_to(request.user)
    return record_list(
        request, notices.filter(delivered_on__isnull=False), "support_army/station/notice_list.html", {"due": due}
    )


@station_required
def notice_deliver(request):
    """The batch page: who is due, delivered together on one date (三级联动: 区局、服务站、人武部)."""
    return record_form(
        request,
        DeliveryForm,
        "support_army/station/notice_deliver.html",
        success_url=NOTICES,
        success_message=lambda batch: f"已登记 {batch.notices.count()} 份喜报送达，送喜报批次已提交区局审核。",
    )


# --- 返乡报到 -------------------------------------------------------------------------------------


def with_open_steps(registrations):
    """Each registration's count of active checklist steps not done (`open_count`)."""
    active = HomecomingStep.objects.filter(active=True).count()
    done = Count("completions", filter=Q(completions__step__active=True), distinct=True)
    return registrations.annotate(open_count=Value(active) - done)


@station_required
def homecoming_list(request):
    """
    The township's checklist view: by default the returning veterans who still have open steps
    (`?all=1`: every registration).
    """
    show_all = request.GET.get("all") == "1"
    registrations = with_open_steps(HomecomingRegistration.objects.select_related("person", "point"))
    if not show_all:
        registrations = registrations.filter(open_count__gt=0)
    registrations = registrations.order_by("-received_on", "-pk")
    return record_list(request, registrations, "support_army/station/homecoming_list.html", {"show_all": show_all})


def preselected(request, field: str) -> dict:
    """`?person=<id>` (the to-do list's link): the choice the form starts with; the field's scope still decides."""
    value = request.GET.get(field, "")
    return {field: int(value)} if value.isdigit() and len(value) < 12 else {}


@station_required
def homecoming_create(request):
    form = partial(HomecomingRegistrationForm, initial=preselected(request, "person"))
    return record_form(request, form, HOMECOMING_FORM, success_url=HOMECOMINGS)


@station_required
def homecoming_edit(request, pk: int):
    registration = visible_record_or_404(request, HomecomingRegistration, pk)
    return record_form(
        request, HomecomingRegistrationForm, HOMECOMING_FORM, instance=registration, success_url=HOMECOMINGS
    )


@station_required
def homecoming_checklist(request, pk: int):
    """One returning veteran's checklist: the steps done (who, when) and the open ones, ticked when done."""
    registration = visible_record_or_404(request, HomecomingRegistration.objects.select_related("person"), pk)
    completions = registration.completions.select_related("step", "done_by").order_by("step__order", "pk")
    here = reverse("station:support_army:homecoming_checklist", args=[registration.pk])
    return record_form(
        request,
        partial(ChecklistForm, registration=registration),
        "support_army/station/homecoming_checklist.html",
        success_url=here,
        success_message=lambda done: f"已登记办结 {len(done)} 项。",
        context={"registration": registration, "completions": completions, "cancel_url": HOMECOMINGS},
    )


# --- 爱心拥军团（公开页面） ----------------------------------------------------------------------


@require_GET
def alliance(request):
    """
    The alliance's members and what each offers military families and veterans, for anyone
    (no login): enterprise names, offers and the enterprises' own service address and phone,
    never a person's data (the enterprise's contact person and phone stay in the portal).
    """
    members = AllianceMember.objects.public().order_by("batch_number", "enterprise__name", "pk")
    batches = {}
    for member in members:
        batches.setdefault(member.batch_number, []).append(member)
    return render(
        request,
        "support_army/alliance.html",
        {"batches": sorted(batches.items()), "total": sum(len(m) for m in batches.values())},
    )

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


NO_MATCH = "没有符合条件的拥军优属单位。"
BAD_FILTER = "筛选条件无效，请从列表中选择乡镇（街道）。"


@require_GET
def alliance(request):
    """
    The alliance's members and what each offers military families and veterans, for anyone
    (no login): enterprise names, offers and the enterprises' own service address and phone,
    never a person's data (the enterprise's contact person and phone stay in the portal).

    Filtered by kind of offer (the enterprise's 行业领域: 餐饮, 医疗 …) and township with plain GET
    parameters (`?kind=餐饮&township=3`, no script needed); each option counts the members the
    other filter leaves. A value no member has gives the empty list; a township that is not a
    number is a 400 in Chinese.
    """
    kind = request.GET.get("kind", "").strip()
    township = request.GET.get("township", "").strip()
    if township and not township.isdecimal():
        return _alliance_page(request, kind="", township="", error=BAD_FILTER, status=400)
    return _alliance_page(request, kind=kind, township=township)


def _alliance_page(request, *, kind: str, township: str, error: str = "", status: int = 200):
    everyone = AllianceMember.objects.public()
    # The options and their counts come from the members' own values, one query each; the request's
    # values reach SQL only once found among them (a number too long for a key is found nowhere).
    township_id = int(township) if township and len(township) <= 9 else None
    kinds = [
        (row["enterprise__sector"], row["shown"])
        for row in everyone.exclude(enterprise__sector="")
        .values("enterprise__sector")
        .annotate(shown=Count("pk", filter=Q(enterprise__township_id=township_id) if township else Q()))
        .order_by("enterprise__sector")
    ]
    kind_known = kind in dict(kinds)
    townships = [
        (
            str(row["enterprise__township"]),
            row["enterprise__township__name"],
            row["shown"] if kind_known or not kind else 0,
        )
        for row in everyone.filter(enterprise__township__isnull=False)
        .values("enterprise__township", "enterprise__township__name", "enterprise__township__order")
        .annotate(shown=Count("pk", filter=Q(enterprise__sector=kind) if kind_known else Q()))
        .order_by("enterprise__township__order", "enterprise__township__name")
    ]
    township_known = township_id is not None and str(township_id) in {value for value, _, _ in townships}
    members = everyone.order_by("batch_number", "enterprise__name", "pk")
    if error or (kind and not kind_known) or (township and not township_known):
        members = members.none()
    if kind_known:
        members = members.filter(enterprise__sector=kind)
    if township_known:
        members = members.filter(enterprise__township_id=township_id)
    batches = {}
    for member in members:
        batches.setdefault(member.batch_number, []).append(member)
    response = render(
        request,
        "support_army/alliance.html",
        {
            "batches": sorted(batches.items()),
            "total": everyone.count(),
            "shown": sum(len(m) for m in batches.values()),
            "filtered": bool(kind or township),
            "kind": kind,
            "township": township,
            "kinds": kinds,
            "townships": townships,
            "no_match": NO_MATCH,
            "error": error,
        },
    )
    response.status_code = status
    return response

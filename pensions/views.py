"""
Station portal pages of preferential care: a station records its township's visits (走访慰问),
follows up the problems its residents report (困难问题), and records check-ups in the bureau's
rounds for key beneficiaries (重点优抚对象体检). Built on the station kit: lists and records are
`visible_to(user)`, every write goes through the form's `submit` (`record_save`), and errors
are answered in one place. Deaths and moves are recorded on the person's own form (bureau.station).
"""

from functools import partial

from django.urls import reverse_lazy

from bureau.models import Occasion, Visit
from bureau.station.kit import record_form, record_list, station_required, visible_record_or_404
from pensions.forms import AREA, CheckUpForm, ProblemForm, VisitForm, pensions_checkups, pensions_visits
from pensions.models import Problem

VISITS = reverse_lazy("station:pensions:visit_list")
VISIT_FORM = "pensions/station/visit_form.html"
PROBLEMS = reverse_lazy("station:pensions:problem_list")
PROBLEM_FORM = "pensions/station/problem_form.html"
CHECKUPS = reverse_lazy("station:pensions:checkup_list")
CHECKUP_FORM = "pensions/station/checkup_form.html"


# Visits


@station_required
def visit_list(request):
    visits = pensions_visits().select_related("person", "programme").order_by("-visited_on", "-pk")
    return record_list(request, visits, "pensions/station/visit_list.html")


@station_required
def visit_create(request):
    """
    `?person=<id>&occasion=<code>` (a to-do row of a visiting round, pensions.todo) preselects the
    person and the occasion; the form's choices are the station's own, so another township's id selects nobody.
    """
    # The area is this section's, whatever the request says.
    initial = {}
    if person := _int(request.GET.get("person")):
        initial["person"] = person
    if (occasion := request.GET.get("occasion")) in Occasion.values:
        initial["occasion"] = occasion
    form_class = partial(VisitForm, initial=initial) if initial else VisitForm
    return record_form(request, form_class, VISIT_FORM, instance=Visit(area=AREA), success_url=VISITS)


@station_required
def visit_edit(request, pk: int):
    visit = visible_record_or_404(request, pensions_visits(), pk)
    return record_form(request, VisitForm, VISIT_FORM, instance=visit, success_url=VISITS)


# Problems


@station_required
def problem_list(request):
    problems = Problem.objects.select_related("person", "visit").order_by("-reported_on", "-pk")
    return record_list(request, problems, "pensions/station/problem_list.html")


@station_required
def problem_create(request):
    """`?visit=<id>` (the visit list's 登记问题 link) fills in the visit, its person and date."""
    form_class = ProblemForm
    visit = pensions_visits().visible_to(request.user).filter(pk=_int(request.GET.get("visit"))).first()
    if visit is not None:
        initial = {
            "visit": visit.pk,
            "person": visit.person_id,
            "source": Problem.Source.VISIT,
            "reported_on": visit.visited_on,
        }
        form_class = partial(ProblemForm, initial=initial)
    return record_form(request, form_class, PROBLEM_FORM, success_url=PROBLEMS)


@station_required
def problem_edit(request, pk: int):
    problem = visible_record_or_404(request, Problem, pk)
    return record_form(request, ProblemForm, PROBLEM_FORM, instance=problem, success_url=PROBLEMS)


# Check-ups


@station_required
def checkup_list(request):
    checkups = pensions_checkups().select_related("person", "batch").order_by("-checked_on", "-pk")
    return record_list(request, checkups, "pensions/station/checkup_list.html")


@station_required
def checkup_create(request):
    return record_form(request, CheckUpForm, CHECKUP_FORM, success_url=CHECKUPS)


@station_required
def checkup_edit(request, pk: int):
    checkup = visible_record_or_404(request, pensions_checkups(), pk)
    return record_form(request, CheckUpForm, CHECKUP_FORM, instance=checkup, success_url=CHECKUPS)


def _int(value) -> int | None:
    return int(value) if value and value.isdigit() and len(value) <= 18 else None

"""
The online memorial (网上纪念馆, `/memorial/`), for anyone without login: shared as an H5 link.

Only martyrs whose family consented to publication are shown (any other is a 404, on the pages and
the API alike), with their name, years, unit, deeds, resting place and photo; never an ID number,
an address or a family member. A visitor offers a flower (counted at once) or leaves a message
(shown once staff approve it in the admin). Each client may leave `TRIBUTES_PER_MINUTE` tributes a
minute (keyed by a hash of its address); a message is at most 200 characters; templates escape
what visitors wrote; the forms carry the CSRF token; no external script is loaded.
"""

import logging

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from commemoration.forms import MessageForm
from commemoration.models import DailyFlower, Martyr, MemorialCampaign, Tribute
from commemoration.services import RATE_LIMITED_MESSAGE, allow_tribute, client_key, count_visit

FLOWERS = Count("tributes", filter=Q(tributes__kind=Tribute.Kind.FLOWER))
NOT_FOUND = "该烈士的纪念页面不存在或未公开。"


def published_martyrs():
    return Martyr.objects.published().select_related("person", "resting_facility").annotate(flowers=FLOWERS)


def published_martyr_or_404(pk: int) -> Martyr:
    martyr = published_martyrs().filter(pk=pk).first()
    if martyr is None:
        raise Http404(NOT_FOUND)
    return martyr


def approved_messages(martyr: Martyr):
    return martyr.tributes.filter(kind=Tribute.Kind.MESSAGE, moderation=Tribute.Moderation.APPROVED).order_by(
        "-created_at", "-pk"
    )[:50]


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_GET
def home(request):
    count_visit()
    today = timezone.localdate()
    banner = MemorialCampaign.objects.banner(today)
    return render(
        request,
        "commemoration/memorial_home.html",
        {
            "banner": banner,
            "next_starts": banner.upcoming.starts_text(today) if banner.upcoming else "",
            "martyrs": published_martyrs().order_by("sacrificed_on", "pk"),
        },
    )


def render_martyr(request, martyr: Martyr, *, form=None, status=200, error: str = ""):
    return render(
        request,
        "commemoration/memorial_martyr.html",
        {
            "martyr": martyr,
            "tribute_messages": approved_messages(martyr),
            "form": form or MessageForm(),
            "error": error,
        },
        status=status,
    )


@require_GET
def martyr_page(request, pk: int):
    martyr = published_martyr_or_404(pk)
    count_visit()
    return render_martyr(request, martyr)


@require_GET
def martyr_photo(request, pk: int):
    martyr = published_martyr_or_404(pk)
    if not martyr.photo:
        raise Http404("该烈士暂无照片。")
    try:
        return FileResponse(martyr.photo.open("rb"))
    except FileNotFoundError:
        raise Http404("该烈士暂无照片。") from None


def rate_limited(request, martyr: Martyr, *, form=None):
    if wants_json(request):
        return JsonResponse({"detail": RATE_LIMITED_MESSAGE}, status=429)
    return render_martyr(request, martyr, form=form, status=429, error=RATE_LIMITED_MESSAGE)


logger = logging.getLogger(__name__)

ALREADY_OFFERED = "您今天已献过花，明天可再来。"


def visitor_key(request) -> str:
    """
    The visitor's session key, made if missing; "" when the session store is down, and then the
    flower goes through uncounted like the rate limit's outage rule (logged), not a 500.
    """
    try:
        if not request.session.session_key:
            request.session.save()
        return request.session.session_key or ""
    except Exception:
        logger.warning("纪念馆献花所用的会话存储不可用，本次不按访客去重。", exc_info=True)
        return ""


@require_POST
def offer_flower(request, pk: int):
    martyr = published_martyr_or_404(pk)
    key = client_key(request)
    if not allow_tribute(key):
        return rate_limited(request, martyr)
    visitor = visitor_key(request)
    with transaction.atomic():
        new = True
        if visitor:
            _, new = DailyFlower.objects.get_or_create(visitor=visitor, martyr=martyr, day=timezone.localdate())
        if new:
            Tribute.objects.create(
                martyr=martyr, kind=Tribute.Kind.FLOWER, moderation=Tribute.Moderation.APPROVED, client_key=key
            )
    detail = "献花成功，向英烈致敬！" if new else ALREADY_OFFERED
    flowers = martyr.tributes.filter(kind=Tribute.Kind.FLOWER).count()
    if wants_json(request):
        return JsonResponse({"flowers": flowers, "counted": new, "detail": detail})
    (messages.success if new else messages.info)(request, detail)
    return redirect(reverse("commemoration:memorial_martyr", args=[martyr.pk]) + "#tribute")


@require_POST
def leave_message(request, pk: int):
    martyr = published_martyr_or_404(pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return render_martyr(request, martyr, form=form, status=400)
    key = client_key(request)
    if not allow_tribute(key):
        return rate_limited(request, martyr, form=form)
    Tribute.objects.create(
        martyr=martyr,
        kind=Tribute.Kind.MESSAGE,
        message=form.cleaned_data["message"],
        signature=form.cleaned_data["signature"],
        moderation=Tribute.Moderation.PENDING,
        client_key=key,
    )
    messages.success(request, "寄语已提交，审核通过后将在此显示。")
    return redirect(reverse("commemoration:memorial_martyr", args=[martyr.pk]) + "#messages")


# --- 公开接口（只读，仅已公开的烈士） -------------------------------------------------------------


def martyr_json(request, martyr: Martyr, *, with_messages: bool = False) -> dict:
    data = {
        "id": martyr.pk,
        "name": martyr.person.name,
        "birth_year": martyr.birth_year,
        "sacrificed_on": martyr.sacrificed_on.isoformat(),
        "sacrifice_place": martyr.sacrifice_place,
        "unit": martyr.unit,
        "deeds": martyr.deeds,
        "resting_place": martyr.resting_facility.name if martyr.resting_facility_id else "",
        "photo": request.build_absolute_uri(reverse("commemoration:memorial_photo", args=[martyr.pk]))
        if martyr.photo
        else None,
        "flowers": martyr.flowers,
        "page": request.build_absolute_uri(reverse("commemoration:memorial_martyr", args=[martyr.pk])),
    }
    if with_messages:
        data["messages"] = [
            {"message": t.message, "signature": t.signature, "created_at": t.created_at.isoformat()}
            for t in approved_messages(martyr)
        ]
    return data


@require_GET
def api_martyr_list(request):
    martyrs = published_martyrs().order_by("sacrificed_on", "pk")
    return JsonResponse({"results": [martyr_json(request, m) for m in martyrs]})


@require_GET
def api_martyr_detail(request, pk: int):
    martyr = published_martyrs().filter(pk=pk).first()
    if martyr is None:
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return JsonResponse(martyr_json(request, martyr, with_messages=True))

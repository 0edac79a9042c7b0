"""This area's contradictions for the 数据质量核查 (`bureau.rules.datacheck`), declared in apps.py."""

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from bureau.models import FamilyLink
from bureau.rules.datacheck import Check, Finding, admin_url
from support_army.models import MeritNotice


def notices_without_family_link(today: datetime.date) -> Iterable[Finding]:
    """
    A merit notice goes to the soldier's family: one with no recipient, or with a recipient the
    registry does not link to the soldier (from either side), cannot be counted as delivered to the family.
    """
    linked = FamilyLink.objects.filter(
        Q(person=OuterRef("soldier"), relative=OuterRef("recipient"))
        | Q(person=OuterRef("recipient"), relative=OuterRef("soldier"))
    )
    notices = (
        MeritNotice.objects.annotate(linked=Exists(linked))
        .filter(Q(recipient__isnull=True) | Q(linked=False))
        .select_related("soldier", "merit", "recipient")
        .order_by("soldier__name", "pk")
    )
    for notice in notices:
        detail = (
            "没有登记接收喜报的家属。"
            if notice.recipient_id is None
            else f"接收人{notice.recipient.name}与该军人没有登记家庭关系。"
        )
        yield Finding(f"立功喜报：{notice.soldier.name} {notice.merit}", detail, admin_url(notice))


NOTICES_WITHOUT_FAMILY_LINK = Check(
    "notices_without_family_link",
    "立功喜报没有对应的家庭关系",
    "在人员信息中登记军人与接收家属的家庭关系，或更正接收人。",
    notices_without_family_link,
)

"""The online memorial's tributes: the per-client rate limit and the daily visit count."""

import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from bureau.base.client_address import client_ip_address
from commemoration.models import MemorialDailyVisits

logger = logging.getLogger(__name__)

#: Tributes (flowers and messages) one client may leave per minute.
TRIBUTES_PER_MINUTE = 10
RATE_LIMITED_MESSAGE = "您的操作过于频繁，请一分钟后再试。感谢您对英烈的缅怀。"


def client_key(request) -> str:
    """A keyed hash of the client's address: the rate limit's key, never the address itself."""
    address = client_ip_address(request) or "unknown"
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def current_minute() -> int:
    """The clock minute the rate limit counts in (a test pins it, so 30 posts never straddle two minutes)."""
    return int(timezone.now().timestamp() // 60)


def allow_tribute(key: str) -> bool:
    """
    Count one tribute of this client in the current minute; False once over the limit.

    The count lives in the shared cache (the database's or Redis), so every worker process
    counts against the same limit. Each tribute takes one numbered slot with `cache.add`,
    which is atomic on both backends (an insert under a unique key, Redis SET NX), where
    `incr` on the database cache is a read then a write that two processes could both pass.
    The cache being down must not take the memorial down: the tribute is let through and logged.
    """
    bucket = f"memorial:tributes:{key}:{current_minute()}"
    slots = [f"{bucket}:{n}" for n in range(1, TRIBUTES_PER_MINUTE + 1)]
    try:
        taken = cache.get_many(slots)
        return any(cache.add(slot, 1, timeout=90) for slot in slots if slot not in taken)
    except Exception:
        logger.warning("纪念馆献花/寄语限流所用的缓存不可用，本次不限流放行。", exc_info=True)
        return True


def count_visit() -> None:
    """One visit of the memorial today (the report's 访问人次)."""
    today = timezone.localdate()
    updated = MemorialDailyVisits.objects.filter(day=today).update(visits=F("visits") + 1)
    if not updated:
        _, created = MemorialDailyVisits.objects.get_or_create(day=today, defaults={"visits": 1})
        if not created:
            MemorialDailyVisits.objects.filter(day=today).update(visits=F("visits") + 1)

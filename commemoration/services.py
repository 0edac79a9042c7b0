"""The online memorial's tributes: the per-client rate limit and the daily visit count."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from bureau.accounts import client_ip_address
from commemoration.models import MemorialDailyVisits

#: Tributes (flowers and messages) one client may leave per minute.
TRIBUTES_PER_MINUTE = 10
RATE_LIMITED_MESSAGE = "您的操作过于频繁，请一分钟后再试。感谢您对英烈的缅怀。"


def client_key(request) -> str:
    """A keyed hash of the client's address: the rate limit's key, never the address itself."""
    address = client_ip_address(request) or "unknown"
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def allow_tribute(key: str) -> bool:
    """Count one tribute of this client in the current minute; False once over the limit."""
    bucket = f"memorial:tributes:{key}:{int(timezone.now().timestamp() // 60)}"
    cache.add(bucket, 0, timeout=90)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=90)
        count = 1
    return count <= TRIBUTES_PER_MINUTE


def count_visit() -> None:
    """One visit of the memorial today (the report's 访问人次)."""
    today = timezone.localdate()
    updated = MemorialDailyVisits.objects.filter(day=today).update(visits=F("visits") + 1)
    if not updated:
        _, created = MemorialDailyVisits.objects.get_or_create(day=today, defaults={"visits": 1})
        if not created:
            MemorialDailyVisits.objects.filter(day=today).update(visits=F("visits") + 1)

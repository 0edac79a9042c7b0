"""
The address a request comes from, as django-axes counts failed logins by it (AXES_CLIENT_IP_CALLABLE)
and as the audit trail records it. Here, apart from the sign-in rules, because the audit trail needs
it and the sign-in rules (through the second factor) write audit events: it imports nothing.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """
    AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, or the header named by AXES_CLIENT_IP_HEADER.

    A header is trusted only when configured: behind no proxy anyone could send X-Forwarded-For
    and start every attempt from a fresh address, escaping the lockout. Of a list the last entry
    is taken, the one the trusted proxy added; the ones before it came from the client.
    """
    header = settings.AXES_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")

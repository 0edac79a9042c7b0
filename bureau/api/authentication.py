"""
API tokens that expire: API_TOKEN_LIFETIME_HOURS after they were issued.

A token is also deleted when its user's password changes, the user is deactivated or logs
out (bureau.rules.signals), or signs out of the API (bureau.api.tokens). Imported by DRF's settings:
importing rest_framework.views here would be circular.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

EXPIRED_MESSAGE = "登录令牌已过期，请重新获取令牌。"


def oldest_valid_issue_time() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        # Left in the table (the refusal rolls the request back anyway); the token endpoint replaces it.
        if token.created < oldest_valid_issue_time():
            raise exceptions.AuthenticationFailed(EXPIRED_MESSAGE)
        return user, token

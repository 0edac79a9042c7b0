"""The API's sign-in endpoint: a token for username and password, under the lockout rules."""

from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from bureau.api.authentication import oldest_valid_issue_time
from bureau.rules import audit, otp
from bureau.rules.accounts import API_PASSWORD_CHANGE_REQUIRED_MESSAGE, LOCKOUT_MESSAGE, login_failures_reset
from bureau.rules.audit_hooks import login_event


class TokenView(ObtainAuthToken):
    """
    POST username and password for a token; DELETE with the token to sign out.

    Failures are answered, not raised: a raised error rolls the request's transaction back
    (ATOMIC_REQUESTS), and with it the failed attempt django-axes has just recorded.
    """

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # Set by axes on the request it was given: DRF's, which the lockout middleware does not see.
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": LOCKOUT_MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        user = serializer.validated_data["user"]
        if user.must_change_password:
            return Response({"detail": API_PASSWORD_CHANGE_REQUIRED_MESSAGE}, status=status.HTTP_403_FORBIDDEN)
        if otp.is_required():
            refusal = otp.api_code_refusal(request, user=user)
            if refusal is not None:
                return Response({"otp": [refusal]}, status=status.HTTP_400_BAD_REQUEST)
        # An expired token is replaced rather than handed out again.
        Token.objects.filter(user=user, created__lt=oldest_valid_issue_time()).delete()
        token, _ = Token.objects.get_or_create(user=user)
        # A completed sign-in (password and code) clears its account's failed attempts, as on the web.
        login_failures_reset(user.get_username())
        login_event(user, request=request, detail="API 令牌")
        return Response({"token": token.key})

    def delete(self, request, *args, **kwargs):
        if not isinstance(request.auth, Token):
            raise exceptions.NotAuthenticated()
        request.auth.delete()
        audit.record(audit.Kind.LOGOUT, request=request, user=request.user, detail="API 令牌")
        return Response(status=status.HTTP_204_NO_CONTENT)

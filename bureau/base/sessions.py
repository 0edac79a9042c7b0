"""
Sessions in the database (Django's store), renewed at most once a minute.

The idle limit is SESSION_COOKIE_AGE renewed by every request (SESSION_SAVE_EVERY_REQUEST): Django
writes the session row (an UPDATE and a commit) and sends the cookie again on every page. A session
whose row was renewed less than RENEWAL_INTERVAL seconds ago, and that the request did not change,
is not written again (`bureau.rules.accounts.SessionMiddleware`): its expiry is then at most that
much earlier than Django's would be, never later, and the cookie's max-age matches the row.
"""

import datetime

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

RENEWAL_INTERVAL = 60  # seconds


class SessionStore(DatabaseSessionStore):
    # The row's expiry as read, or None (not read, none, or expired).
    stored_expiry = None

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self.stored_expiry = session.expire_date if session is not None else None
        return session

    def renewed_lately(self) -> bool:
        """True when the row read by this request was renewed within RENEWAL_INTERVAL and nothing changed since."""
        if self.stored_expiry is None or self.modified or "_session_expiry" in self._get_session():
            return False
        left = self.stored_expiry - timezone.now()
        return left > datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - RENEWAL_INTERVAL)

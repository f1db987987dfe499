"""The last-activity timestamp kept in the session, for the idle timeout."""

import time

from django.conf import settings

SESSION_KEY = "pharmagarde_last_activity"
# Refresh the timestamp at most this often, so that most requests write nothing.
REFRESH_SECONDS = 60


def timeout_seconds():
    return getattr(settings, "SESSION_IDLE_TIMEOUT", 1800)


def touch(session, now=None):
    session[SESSION_KEY] = int(now if now is not None else time.time())


def is_expired(session, now):
    last = session.get(SESSION_KEY)
    return isinstance(last, int) and now - last > timeout_seconds()


def needs_refresh(session, now):
    last = session.get(SESSION_KEY)
    return not isinstance(last, int) or now - last >= REFRESH_SECONDS

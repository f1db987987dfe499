"""Background work run by `pharmagarde worker` (django-tasks, database backend).

A task's arguments wait in the task table until it runs, in clear: pass ids, never a
secret, an address or a text (core/mail.py keeps those encrypted in its own table).
"""

from django_tasks import task


@task()
def send_email(*, email_id: int) -> bool:
    """Send one queued e-mail (core/mail.py): True if this run sent it."""
    from .mail import deliver

    return deliver(email_id)

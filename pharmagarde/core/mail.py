"""Mail goes out from the worker, once the transaction that decided to send it commits."""

from django.db import transaction
from django.template.loader import render_to_string


def email_on_commit(*, to: list[str], subject: str, template: str, context: dict) -> None:
    """Render `template` (text) now, in the active language, and send it after commit.

    The rendered text is stored in the task table until the worker sends it: nothing
    secret may be in the context.
    """
    from .tasks import send_email

    text = render_to_string(template, context)
    transaction.on_commit(lambda: send_email.enqueue(to=to, subject=subject, text=text))

"""Background work run by `pharmagarde worker` (django-tasks, database backend)."""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, text: str, html: str = "") -> None:
    """Send one e-mail. Its arguments are stored in the task table until it runs: never
    pass a secret (a token, a password) in them."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()

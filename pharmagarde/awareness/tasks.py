"""Background work of the awareness app (django-tasks): ids only in the arguments."""

from django_tasks import task


@task()
def send_campaign(*, campaign_id: int) -> int:
    """Send what is due of a campaign (sending.run); the number of messages sent."""
    from .sending import run

    return run(campaign_id)

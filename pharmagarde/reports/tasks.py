"""Background work of the reports app (django-tasks): ids only in the arguments."""

from django_tasks import task


@task()
def build_pack(*, pack_id: int) -> bool:
    """Build a queued audit pack (production.build): True once it is done."""
    from .production import build

    return build(pack_id)

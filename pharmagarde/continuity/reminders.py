"""The continuity app's reminders (core.reminders): each part of the app lists its own
`due(now)` in PROVIDERS (the yearly review of the plan, restore tests due, the yearly
exercise); this module chains them."""

from itertools import chain

from django.utils.module_loading import import_string

PROVIDERS: tuple[str, ...] = (
    "pharmagarde.continuity.restore_services.due",
    "pharmagarde.continuity.exercise_services.due",
    "pharmagarde.continuity.plan_services.due",
)


def due(now):
    return list(chain.from_iterable(import_string(path)(now) for path in PROVIDERS))

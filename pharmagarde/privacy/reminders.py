"""The privacy app's reminders (core.reminders): each part lists its own `due(now)` in
PROVIDERS (requests to answer within the month, processors to review, the yearly review of
the register); this module chains them."""

from itertools import chain

from django.utils.module_loading import import_string

PROVIDERS: tuple[str, ...] = (
    "pharmagarde.privacy.request_services.due",
    "pharmagarde.privacy.processor_services.due",
    "pharmagarde.privacy.register_services.due",
)


def due(now):
    return list(chain.from_iterable(import_string(path)(now) for path in PROVIDERS))

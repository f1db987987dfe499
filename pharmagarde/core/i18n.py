from django.utils.translation import gettext

from pharmagarde.lib.messages import Message


def translated(message):
    """A lib.messages.Message in the active language, values included (a size's unit is a
    Message too); any other value as text."""
    if not isinstance(message, Message):
        return str(message)
    text = gettext(message.template)
    if not message.params:
        return text
    return text % {name: translated(value) if isinstance(value, Message) else value
                   for name, value in message.params.items()}

"""Messages for people, from framework-free code.

lib/ does not import Django, yet its messages (a wrong SIRET, a refused file) are shown to
people in their language. A Message is the French text — so plain code and tests read it as
an ordinary string — that also remembers its template and values; the Django layer
translates it with core.i18n.translated(). `_` only marks templates for makemessages.
"""


def _(template):
    return template


class Message(str):
    def __new__(cls, template, **params):
        message = super().__new__(cls, template % params if params else template)
        message.template = template
        message.params = params
        return message

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

EFFORT_LABELS = {"faible": _("faible"), "moyen": _("moyen"), "important": _("important")}


@register.filter
def effort_label(code):
    """The effort of a measure in the reader's language (the YAML keeps French codes)."""
    return EFFORT_LABELS.get(code, code)

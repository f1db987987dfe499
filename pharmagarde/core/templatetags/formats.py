from django import template

from pharmagarde.core.formats import percent as format_percent

register = template.Library()


@register.filter
def percent(value):
    return format_percent(value)

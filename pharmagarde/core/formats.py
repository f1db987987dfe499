"""Numbers and dates written the reader's way."""

from django.utils.translation import gettext


def percent(value):
    """'40 %' in French (with its space), '40%' in English."""
    return gettext("%(value)s %%") % {"value": value}

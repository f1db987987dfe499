"""Filters of the audit packs' templates: a table cell as text, a checklist state in
words (the same wording as the DOCX and the XLSX)."""

from django import template

from ..builder import cell_text
from ..checklists import STATE_LABELS

register = template.Library()


@register.filter
def cell(value) -> str:
    return cell_text(value)


@register.filter
def checklist_state(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@register.filter
def iso_date(value: str | None) -> str:
    """« 2026-01-05 » (as a plan summary keeps it) as « 05/01/2026 »."""
    import datetime

    try:
        return cell_text(datetime.date.fromisoformat(value)) if value else "—"
    except (TypeError, ValueError):
        return str(value)

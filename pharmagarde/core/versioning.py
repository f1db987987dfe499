"""Records kept with their history: a change claims the revision the form showed
(core.concurrency: a concurrent edit is a conflict, never a silent overwrite), writes the
fields that changed and keeps their previous values, as people read them, in a version row
of the app (incidents.RecordVersion, privacy.PrivacyVersion: organisation, record_type,
record_id, revision, changes, author, reason).
"""

import datetime

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from .concurrency import claim_revision


def display_value(record: Model, name: str) -> str:
    """A field's value as a person reads it in a history: the choice's label, « Oui »,
    a French date."""
    field = record._meta.get_field(name)
    value = getattr(record, name)
    if field.choices:  # a blank value may have its label (« À décider »)
        label = getattr(record, f"get_{name}_display")()
        return "" if label is None else str(label)
    if value is None or value == "":
        return ""
    if value is True:
        return _("Oui")
    if value is False:
        return _("Non")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):  # a helper's assessment: its one-line summary
        return str(value.get("summary", "")) if value else ""
    return str(value)


def save_with_history(record: Model, *, version_model: type[Model], acting_user,
                      values: dict, revision: int | None, conflict: type,
                      reason: str = "", extra_changes: dict | None = None) -> dict:
    """Write `values` on `record` if it is still at `revision`, and keep the previous
    values in a `version_model` row. `extra_changes` ({label: [before, after]}) adds what
    the caller changed itself (a many-to-many field). Returns {label: [before, after]}:
    empty, and nothing written, when nothing changed."""
    model = type(record)
    changed = {name: value for name, value in values.items() if getattr(record, name) != value}
    extra = {label: pair for label, pair in (extra_changes or {}).items() if pair[0] != pair[1]}
    if not changed and not extra:
        return {}
    before = {name: display_value(record, name) for name in changed}
    claim_revision(model.objects.filter(organisation=record.organisation), record.pk,
                   revision, conflict=conflict, **changed)
    for name, value in changed.items():
        setattr(record, name, value)
    record.revision = (revision if revision is not None else record.revision) + 1
    diff = {str(model._meta.get_field(name).verbose_name): [before[name],
                                                            display_value(record, name)]
            for name in changed}
    diff.update(extra)
    version_model.objects.create(organisation=record.organisation,
                                 record_type=model._meta.model_name, record_id=record.pk,
                                 revision=record.revision, changes=diff, author=acting_user,
                                 reason=reason[:300])
    return diff

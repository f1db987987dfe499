"""Actions name their source generically (issue 7), step 2 of 3: the data moves.

- diagnostic actions: measure_id -> source_key; question_ids, level, the assessment's id
  and its referential version -> source_data (the diagnostic's own payload);
- hand-made actions linked to questions: question_ids -> source_data["closes"]["diagnostic"];
- resolved_by_diagnostic -> resolved_at_source.

Backwards, the other way round; an action of a source the old columns cannot hold (none
existed before this migration) becomes a hand-made one rather than being lost.

A migration of its own: on PostgreSQL, rows updated in a transaction forbid later schema
changes to their table in that same transaction ("pending trigger events").
"""

from django.db import migrations

BATCH = 1000
DIAGNOSTIC = "diagnostic"
MANUAL = "manual"


def forward_row(source, measure_id, question_ids, level, assessment_id, version, resolved):
    """The new columns of one action from its old ones."""
    question_ids = list(question_ids or [])
    if source == DIAGNOSTIC:
        data = {"question_ids": question_ids, "level": level or "basic"}
        if assessment_id is not None:
            data["assessment"] = assessment_id
        if version:
            data["version"] = version
        return {"source_key": measure_id, "source_data": data, "resolved_at_source": resolved}
    data = {"closes": {DIAGNOSTIC: question_ids}} if question_ids else {}
    return {"source_key": "", "source_data": data, "resolved_at_source": resolved}


def backward_row(source, source_key, source_data, resolved, assessment_exists):
    """The old columns of one action from its new ones. `assessment_exists(id)` tells
    whether the assessment named in the data is still there (the old column was a
    foreign key)."""
    data = source_data or {}
    if source == DIAGNOSTIC:
        assessment_id = data.get("assessment")
        return {"source": DIAGNOSTIC, "measure_id": source_key,
                "question_ids": list(data.get("question_ids", [])),
                "level": data.get("level", ""),
                "assessment_id": assessment_id if assessment_exists(assessment_id) else None,
                "resolved_by_diagnostic": resolved}
    return {"source": MANUAL, "measure_id": "",
            "question_ids": list(data.get("closes", {}).get(DIAGNOSTIC, [])),
            "level": "", "assessment_id": None, "resolved_by_diagnostic": False}


def _save_in_batches(Action, rows, fields):
    batch = []
    for pk, values in rows:
        batch.append(Action(pk=pk, **values))
        if len(batch) >= BATCH:
            Action.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Action.objects.bulk_update(batch, fields)


def forward(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    rows = Action.objects.order_by("pk").values_list(
        "pk", "source", "measure_id", "question_ids", "level", "assessment_id",
        "assessment__referential_version", "resolved_by_diagnostic")
    _save_in_batches(
        Action, ((pk, forward_row(*old)) for pk, *old in rows.iterator(chunk_size=BATCH)),
        ["source_key", "source_data", "resolved_at_source"])


def backward(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    Assessment = apps.get_model("diagnostic", "Assessment")
    rows = list(Action.objects.order_by("pk").values_list(
        "pk", "source", "source_key", "source_data", "resolved_at_source"))
    named = {(data or {}).get("assessment") for _pk, _source, _key, data, _resolved in rows}
    existing = set(Assessment.objects.filter(pk__in=named - {None})
                   .values_list("pk", flat=True))
    _save_in_batches(
        Action, ((pk, backward_row(source, key, data, resolved, existing.__contains__))
                 for pk, source, key, data, resolved in rows),
        ["source", "measure_id", "question_ids", "level", "assessment_id",
         "resolved_by_diagnostic"])


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0003_action_source_columns'),
        ('diagnostic', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]

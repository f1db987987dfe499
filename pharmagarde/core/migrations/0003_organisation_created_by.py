"""Who created each organisation, taken back from the audit log for existing ones."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def creators_from_audit_log(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    AuditEntry = apps.get_model("core", "AuditEntry")
    entries = AuditEntry.objects.filter(action="organisation.created", actor__isnull=False)
    for organisation_id, actor_id in entries.values_list("organisation_id", "actor_id"):
        Organisation.objects.filter(pk=organisation_id, created_by__isnull=True).update(
            created_by_id=actor_id)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_cache_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(creators_from_audit_log, migrations.RunPython.noop),
    ]

"""Actions name their source generically (issue 7), step 3 of 3: the diagnostic's columns
go, and one action per (organisation, source, key)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0004_action_source_data'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='action',
            name='assessment',
        ),
        migrations.RemoveField(
            model_name='action',
            name='level',
        ),
        migrations.RemoveField(
            model_name='action',
            name='measure_id',
        ),
        migrations.RemoveField(
            model_name='action',
            name='question_ids',
        ),
        migrations.RemoveField(
            model_name='action',
            name='resolved_by_diagnostic',
        ),
        migrations.AddConstraint(
            model_name='action',
            constraint=models.UniqueConstraint(condition=models.Q(('source', 'manual'), _negated=True), fields=('organisation', 'source', 'source_key'), name='one_action_per_source_item'),
        ),
    ]

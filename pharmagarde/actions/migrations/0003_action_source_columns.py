"""Actions name their source generically (issue 7), step 1 of 3: the new columns.

The diagnostic's unique measure goes first, so that on the way back the old columns are
filled (0004) before it comes back.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0002_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='action',
            name='one_action_per_measure',
        ),
        migrations.AlterField(
            model_name='action',
            name='source',
            field=models.CharField(default='manual', max_length=40, verbose_name='origine'),
        ),
        migrations.AddField(
            model_name='action',
            name='source_key',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='action',
            name='source_data',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='action',
            name='resolved_at_source',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='action',
            name='references',
            field=models.JSONField(blank=True, default=list, verbose_name='références'),
        ),
    ]

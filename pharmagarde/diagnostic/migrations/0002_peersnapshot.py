"""Published peer averages, one snapshot per kind and period (diagnostic/peers.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('diagnostic', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='PeerSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=20)),
                ('period_start', models.DateTimeField()),
                ('computed_at', models.DateTimeField(auto_now_add=True)),
                ('units', models.PositiveIntegerField(default=0)),
                ('score', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('theme_scores', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'period_start'), name='one_peer_snapshot_per_period')],
            },
        ),
    ]

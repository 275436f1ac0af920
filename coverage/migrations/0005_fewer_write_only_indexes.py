# Indexes that only cost writes: on measurement, region and indicator lead the unique (region, indicator, as_of)
# and the (indicator, as_of) indexes already; the historical rows are looked up by figure id and date only.
# Only the indexes go (the foreign-key constraints stay as they are, nothing is rebuilt).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "coverage_historicalmeasurement_indicator_id_f049f621": ("coverage_historicalmeasurement", "indicator_id"),
    "coverage_historicalmeasurement_region_id_ffe10a9e": ("coverage_historicalmeasurement", "region_id"),
    "coverage_historicalmeasurement_source_id_238b109e": ("coverage_historicalmeasurement", "source_id"),
    "coverage_historicalmeasurement_verified_by_id_2ec0fffe": ("coverage_historicalmeasurement", "verified_by_id"),
    "coverage_measurement_indicator_id_b1b3f5b0": ("coverage_measurement", "indicator_id"),
    "coverage_measurement_region_id_d0076e7e": ("coverage_measurement", "region_id"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0004_key_scope_check_edit_all_regions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
                )
                for name, (table, column) in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='historicalmeasurement',
                    name='indicator',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coverage.indicator', verbose_name='indicator'),
                ),
                migrations.AlterField(
                    model_name='historicalmeasurement',
                    name='region',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coverage.region', verbose_name='region'),
                ),
                migrations.AlterField(
                    model_name='historicalmeasurement',
                    name='source',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, help_text='Id of the source the figure comes from.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coverage.source', verbose_name='source'),
                ),
                migrations.AlterField(
                    model_name='historicalmeasurement',
                    name='verified_by',
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, help_text='Who verified or published the figure.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='verified by'),
                ),
                migrations.AlterField(
                    model_name='measurement',
                    name='indicator',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='measurements', to='coverage.indicator', verbose_name='indicator'),
                ),
                migrations.AlterField(
                    model_name='measurement',
                    name='region',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='measurements', to='coverage.region', verbose_name='region'),
                ),
            ],
        ),
    ]

"""Denied attempts become audit actions; on PostgreSQL TRUNCATE joins UPDATE and DELETE as refused.

The row triggers of 0002 do not fire on TRUNCATE, which empties the table in one
statement. A statement-level BEFORE TRUNCATE trigger closes that gap. Only the table's
owner (the migration role, see README) or a superuser can disable it.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

CREATE = """
CREATE TRIGGER clinic_auditevent_no_truncate
    BEFORE TRUNCATE ON clinic_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION clinic_auditevent_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS clinic_auditevent_no_truncate ON clinic_auditevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0005_drop_drf_authtoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('read', 'Read'), ('create', 'Create'), ('update', 'Update'), ('export', 'Export'), ('delete', 'Delete'), ('deny_read', 'Denied read'), ('deny_write', 'Denied write')], max_length=10),
        ),
        migrations.CreateModel(
            name='HistoricalMembership',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('role', models.CharField(choices=[('clinician', 'Clinician'), ('reviewer', 'Reviewer'), ('clinic_admin', 'Clinic admin')], max_length=20)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('clinic', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='clinic.clinic')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical membership',
                'verbose_name_plural': 'historical memberships',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(forwards, backwards),
    ]

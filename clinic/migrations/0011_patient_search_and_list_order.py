"""The patient list's search key and paging order.

``Patient.search_name`` holds the names casefolded without accents (clinic/search.py); the
rows already stored get it here. On PostgreSQL a trigram GIN index serves "contains" on it
and a pattern index serves the case-blind MRN prefix; SQLite, used for development, scans.
"""

from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

BATCH = 2000

POSTGRES_INDEXES = [
    ("patient_search_name_trgm",
     "CREATE INDEX IF NOT EXISTS patient_search_name_trgm ON clinic_patient "
     "USING gin (search_name gin_trgm_ops)"),
    # The shape Django's mrn__istartswith takes on PostgreSQL: UPPER("mrn"::text) LIKE UPPER(%s).
    ("patient_mrn_upper_prefix",
     "CREATE INDEX IF NOT EXISTS patient_mrn_upper_prefix ON clinic_patient "
     "(UPPER(mrn::text) text_pattern_ops)"),
]


def backfill_search_name(apps, schema_editor):
    from clinic.search import search_key

    Patient = apps.get_model("clinic", "Patient")
    rows = Patient.objects.using(schema_editor.connection.alias).only(
        "id", "given_name", "family_name").order_by("id")
    batch = []
    for patient in rows.iterator(chunk_size=BATCH):
        patient.search_name = search_key(patient.given_name, patient.family_name)
        batch.append(patient)
        if len(batch) >= BATCH:
            Patient.objects.bulk_update(batch, ["search_name"])
            batch = []
    if batch:
        Patient.objects.bulk_update(batch, ["search_name"])


def create_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in POSTGRES_INDEXES:
        schema_editor.execute(sql)


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in POSTGRES_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0010_family_contacts_call_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='patient',
            name='clinic_pati_clinic__e58273_idx',
        ),
        migrations.AddField(
            model_name='clinic',
            name='address',
            field=models.TextField(blank=True, help_text='Printed in the letterhead of evaluations, one line per line.', max_length=500, verbose_name='address'),
        ),
        migrations.AddField(
            model_name='historicalpatient',
            name='search_name',
            field=models.CharField(blank=True, editable=False, max_length=250),
        ),
        migrations.AddField(
            model_name='patient',
            name='search_name',
            field=models.CharField(blank=True, editable=False, max_length=250),
        ),
        migrations.AddIndex(
            model_name='patient',
            index=models.Index(fields=['clinic', 'family_name', 'given_name', 'id'], name='patient_clinic_name_order'),
        ),
        migrations.AddIndex(
            model_name='patient',
            index=models.Index(fields=['family_name', 'given_name', 'id'], name='patient_name_order'),
        ),
        migrations.RunPython(backfill_search_name, migrations.RunPython.noop, elidable=True),
        # CREATE EXTENSION runs on PostgreSQL only (the operation skips other databases);
        # pg_trgm is a trusted extension, so the owner role needs no superuser.
        TrigramExtension(),
        migrations.RunPython(create_postgres_indexes, drop_postgres_indexes),
    ]

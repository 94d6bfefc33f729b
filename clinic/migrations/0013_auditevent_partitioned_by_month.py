"""On PostgreSQL the audit table becomes partitioned by month (RANGE on ``at``).

Every read writes an AuditEvent, so it is the largest table. Monthly partitions keep each
index small (inserts touch only the current month's), and let a month past the retention
period be archived and dropped whole (``manage.py audit_archive``) instead of deleted row
by row, which the append-only triggers forbid anyway.

- The primary key must include the partition key: in the database it is ``(id, at)``;
  the ORM keeps ``id`` as its primary key (ids still come from one sequence, so ``id``
  alone stays unique in practice).
- The row trigger of 0002 (no UPDATE, no DELETE) sits on the partitioned table, and
  PostgreSQL clones it onto every partition, present and future. TRUNCATE triggers are
  statement triggers, which are not cloned: ``clinic_auditevent_ensure_month()`` gives
  each new partition its own, and the parent keeps the one of 0006.
- ``clinic_auditevent_default`` takes any row whose month has no partition yet, so an
  insert never fails; ``manage.py audit_partitions`` creates the coming months ahead.
- SQLite (development) keeps the plain table: nothing here runs there.
"""

from django.db import migrations

COLUMNS = """
    id bigint NOT NULL DEFAULT nextval('clinic_auditevent_id_seq'),
    at timestamp with time zone NOT NULL,
    actor_username varchar(150) NOT NULL,
    role varchar(20) NOT NULL,
    action varchar(10) NOT NULL,
    object_type varchar(60) NOT NULL,
    object_id varchar(64) NOT NULL,
    ip inet NULL,
    request_id varchar(64) NOT NULL,
    path varchar(300) NOT NULL,
    actor_id integer NULL,
    patient_id bigint NULL
"""
COPY_COLUMNS = ("id, at, actor_username, role, action, object_type, object_id, ip, request_id, "
                "path, actor_id, patient_id")

# The names Django gave these in 0001 and the Meta indexes, kept so later migrations find them.
INDEXES_AND_KEYS = """
CREATE INDEX clinic_auditevent_at_48dab00e ON clinic_auditevent (at);
CREATE INDEX clinic_auditevent_actor_id_5c6b5919 ON clinic_auditevent (actor_id);
CREATE INDEX clinic_auditevent_patient_id_bc338fe1 ON clinic_auditevent (patient_id);
CREATE INDEX clinic_audi_actor_i_e665a3_idx ON clinic_auditevent (actor_id, at DESC);
CREATE INDEX clinic_audi_patient_d6ce10_idx ON clinic_auditevent (patient_id, at DESC);
ALTER TABLE clinic_auditevent ADD CONSTRAINT clinic_auditevent_actor_id_5c6b5919_fk_auth_user_id
    FOREIGN KEY (actor_id) REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE clinic_auditevent ADD CONSTRAINT clinic_auditevent_patient_id_bc338fe1_fk_clinic_patient_id
    FOREIGN KEY (patient_id) REFERENCES clinic_patient(id) DEFERRABLE INITIALLY DEFERRED;
"""
GUARDS = """
CREATE TRIGGER clinic_auditevent_no_change
    BEFORE UPDATE OR DELETE ON clinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION clinic_auditevent_append_only();
CREATE TRIGGER clinic_auditevent_no_truncate
    BEFORE TRUNCATE ON clinic_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION clinic_auditevent_append_only();
"""

# One month's partition (bounds in UTC) with its own TRUNCATE guard; NULL if it exists.
ENSURE_MONTH = """
CREATE OR REPLACE FUNCTION clinic_auditevent_ensure_month(month date) RETURNS text AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    name text := 'clinic_auditevent_p' || to_char(month, 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF clinic_auditevent FOR VALUES FROM (%L) TO (%L)',
                   name, first_day::timestamp AT TIME ZONE 'UTC',
                   (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    EXECUTE format('CREATE TRIGGER clinic_auditevent_no_truncate BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION clinic_auditevent_append_only()', name);
    RETURN name;
END;
$$ LANGUAGE plpgsql;
"""

FORWARDS = f"""
ALTER TABLE clinic_auditevent RENAME TO clinic_auditevent_unpartitioned;
-- Identity columns cannot be partitioned before PostgreSQL 17: a sequence of the same name.
ALTER TABLE clinic_auditevent_unpartitioned ALTER COLUMN id DROP IDENTITY IF EXISTS;
CREATE SEQUENCE IF NOT EXISTS clinic_auditevent_id_seq AS bigint;
CREATE TABLE clinic_auditevent ({COLUMNS}) PARTITION BY RANGE (at);
ALTER SEQUENCE clinic_auditevent_id_seq OWNED BY clinic_auditevent.id;
CREATE TABLE clinic_auditevent_default PARTITION OF clinic_auditevent DEFAULT;
CREATE TRIGGER clinic_auditevent_no_truncate BEFORE TRUNCATE ON clinic_auditevent_default
    FOR EACH STATEMENT EXECUTE FUNCTION clinic_auditevent_append_only();
{ENSURE_MONTH}
-- Every month the old rows cover, and this one and the next three.
SELECT clinic_auditevent_ensure_month(month::date) FROM generate_series(
    date_trunc('month', LEAST(COALESCE((SELECT min(at) FROM clinic_auditevent_unpartitioned), now()),
                              now()) AT TIME ZONE 'UTC'),
    date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months',
    interval '1 month') AS month;
INSERT INTO clinic_auditevent ({COPY_COLUMNS})
    SELECT {COPY_COLUMNS} FROM clinic_auditevent_unpartitioned;
SELECT setval('clinic_auditevent_id_seq',
              COALESCE((SELECT max(id) FROM clinic_auditevent_unpartitioned), 0) + 1, false);
DROP TABLE clinic_auditevent_unpartitioned;
ALTER TABLE clinic_auditevent ADD CONSTRAINT clinic_auditevent_pkey PRIMARY KEY (id, at);
{INDEXES_AND_KEYS}
{GUARDS}
"""

BACKWARDS = f"""
CREATE TABLE clinic_auditevent_plain ({COLUMNS});
INSERT INTO clinic_auditevent_plain ({COPY_COLUMNS}) SELECT {COPY_COLUMNS} FROM clinic_auditevent;
ALTER SEQUENCE clinic_auditevent_id_seq OWNED BY clinic_auditevent_plain.id;
DROP TABLE clinic_auditevent;
DROP FUNCTION clinic_auditevent_ensure_month(date);
ALTER TABLE clinic_auditevent_plain RENAME TO clinic_auditevent;
ALTER TABLE clinic_auditevent ADD CONSTRAINT clinic_auditevent_pkey PRIMARY KEY (id);
{INDEXES_AND_KEYS}
{GUARDS}
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS, params=None)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0012_user_language")]
    operations = [migrations.RunPython(forwards, backwards)]

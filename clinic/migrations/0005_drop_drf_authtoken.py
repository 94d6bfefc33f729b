"""Retire DRF's authtoken app: its tokens were kept in plain text and never expired.

They cannot be trusted (anyone who read the table or a backup holds them) and are not
carried over: API clients sign in again for a hashed, expiring knox token. The table, its
content types (and so permissions) and its migration records go, as if the app had been
migrated to zero before it left INSTALLED_APPS. A database that never had it is untouched.
"""

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder


def drop_authtoken(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name('authtoken_token')}")
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.using(connection.alias).filter(app_label="authtoken").delete()
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_clinic_time_zone_and_user_preference"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(drop_authtoken, migrations.RunPython.noop, elidable=True)]

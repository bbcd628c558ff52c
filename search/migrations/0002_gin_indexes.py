"""GIN indexes for the PostgreSQL search backend (nothing to do on other databases)."""
from django.db import migrations

INDEXES = ("public_vector", "full_vector", "acl_vector")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("search", "SearchDocument")._meta.db_table
    for column in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{table}_{column}_gin" ON "{table}" USING gin ("{column}")')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("search", "SearchDocument")._meta.db_table
    for column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_gin"')


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

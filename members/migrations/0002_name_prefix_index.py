"""A name index that PostgreSQL can use for prefix search (LIKE '王%') whatever the database collation.

``varchar_pattern_ops`` exists only on PostgreSQL; other databases keep the plain index from 0001.
"""
from django.db import migrations

INDEXES = {
    "members_volunteer_name_prefix": "members_volunteer (name varchar_pattern_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

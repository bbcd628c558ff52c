"""DRF's authtoken (plaintext keys that never expired) is gone: knox tokens replace it. Drop its table, so no old
key lingers in the database or its backups, and forget its migrations. Old tokens stopped working with this release
either way; API clients sign in again at /api/v1/auth/token/."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL("DELETE FROM django_migrations WHERE app = 'authtoken'", reverse_sql=migrations.RunSQL.noop),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0003_access_table'),
    ]

    operations = [
        migrations.CreateModel(
            name='IndexQueue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=40, verbose_name='key')),
                ('queued_at', models.DateTimeField(auto_now_add=True, verbose_name='queued at')),
            ],
            options={
                'verbose_name': 'search index queue entry',
                'verbose_name_plural': 'search index queue',
            },
        ),
    ]

"""Templates get an owner (a case, the site, or — for existing rows — only their uploader); users get a profile
for the signature block of their documents.

Existing templates were visible to everyone. They become site-wide when a staff member (or superuser) uploaded
them — staff are who may manage site templates from now on — and otherwise visible only to the person who uploaded
them (scope "personal"): a template may hold a client's name, so it must not stay visible to everyone, and no one
but its uploader knows which case it was meant for. The uploader attaches it to one of their cases (where they may
generate documents, as for a new upload) from the Documents page or the API. Templates whose uploader's account is
gone stay personal to nobody: only a superuser sees them, in the admin. The history of each template records the
change (a "~" history row by no user, with the reason).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def assign_owners(apps, schema_editor):
    """Staff uploads become site-wide; every other existing template stays with its uploader only."""
    Template = apps.get_model("documents", "DocumentTemplate")
    Historical = apps.get_model("documents", "HistoricalDocumentTemplate")
    from django.utils import timezone

    for template in Template.objects.select_related("uploaded_by").order_by("pk"):
        staff = template.uploaded_by_id is not None and (template.uploaded_by.is_staff
                                                          or template.uploaded_by.is_superuser)
        template.scope = "site" if staff else "personal"
        template.case = None
        template.save(update_fields=["scope", "case"])
        fields = {f.attname: getattr(template, f.attname) for f in Template._meta.concrete_fields}
        Historical.objects.create(
            **fields, history_date=timezone.now(), history_type="~", history_user=None,
            history_change_reason=("templates now belong to a case or the site: uploaded by staff, made site-wide"
                                   if staff else "templates now belong to a case or the site: kept for its uploader "
                                                 "only until they attach it to a case"),
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('documents', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalUserProfile',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('full_name', models.CharField(blank=True, help_text='As it must appear under your signature, e.g. “Voronova Anna Sergeyevna”.', max_length=300, verbose_name='full name')),
                ('position', models.CharField(blank=True, help_text='E.g. “Advocate, representative of the administrative claimant”.', max_length=300, verbose_name='position')),
                ('power_of_attorney', models.CharField(blank=True, help_text='The authority you sign under, e.g. “power of attorney No. 77 AA 1234567 of 10 January 2025”.', max_length=300, verbose_name='power of attorney')),
                ('place', models.CharField(blank=True, help_text='E.g. “Moscow”.', max_length=200, verbose_name='place of signing')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical signature details',
                'verbose_name_plural': 'historical signature details',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='UserProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('full_name', models.CharField(blank=True, help_text='As it must appear under your signature, e.g. “Voronova Anna Sergeyevna”.', max_length=300, verbose_name='full name')),
                ('position', models.CharField(blank=True, help_text='E.g. “Advocate, representative of the administrative claimant”.', max_length=300, verbose_name='position')),
                ('power_of_attorney', models.CharField(blank=True, help_text='The authority you sign under, e.g. “power of attorney No. 77 AA 1234567 of 10 January 2025”.', max_length=300, verbose_name='power of attorney')),
                ('place', models.CharField(blank=True, help_text='E.g. “Moscow”.', max_length=200, verbose_name='place of signing')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'signature details',
                'verbose_name_plural': 'signature details',
            },
        ),
        migrations.AddField(
            model_name='documenttemplate',
            name='case',
            field=models.ForeignKey(blank=True, help_text='The case whose members may use the template (scope: one case).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='document_templates', to='cases.case', verbose_name='case'),
        ),
        migrations.AddField(
            model_name='documenttemplate',
            name='scope',
            field=models.CharField(choices=[('case', 'One case'), ('site', 'The whole site'), ('personal', 'Only the person who uploaded it')], default='personal', max_length=8, verbose_name='belongs to'),
        ),
        migrations.AddField(
            model_name='historicaldocumenttemplate',
            name='case',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The case whose members may use the template (scope: one case).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case', verbose_name='case'),
        ),
        migrations.AddField(
            model_name='historicaldocumenttemplate',
            name='scope',
            field=models.CharField(choices=[('case', 'One case'), ('site', 'The whole site'), ('personal', 'Only the person who uploaded it')], default='case', max_length=8, verbose_name='belongs to'),
        ),
        migrations.AddField(
            model_name='historicaluserprofile',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaluserprofile',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.AddField(
            model_name='userprofile',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='document_profile', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.RunPython(assign_owners, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='documenttemplate',
            name='scope',
            field=models.CharField(choices=[('case', 'One case'), ('site', 'The whole site'), ('personal', 'Only the person who uploaded it')], default='case', max_length=8, verbose_name='belongs to'),
        ),
        migrations.AddConstraint(
            model_name='documenttemplate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('case__isnull', False), ('scope', 'case')), models.Q(models.Q(('scope', 'case'), _negated=True), ('case__isnull', True)), _connector='OR'), name='template_case_iff_case_scope'),
        ),
    ]

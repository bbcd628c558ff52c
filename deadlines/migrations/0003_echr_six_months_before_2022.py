"""The ECHR application rule: six months for final decisions taken before 1 February 2022 (Protocol No. 15, art.
8(3)), four months after; and deadline explanations stored as structured steps (rendered in the reader's language).

- ``earlier_amount``: a rule's time-limit for triggers before its ``valid_from``.
- ``fix_echr``: the built-in ``echr-application`` row gets ``earlier_amount`` 6 and the new wording of its basis,
  unless staff have already edited the row (its basis is then left as they wrote it). Also run after every migrate
  and flush (``deadlines.apps.ensure_builtin_rules``), as the seeding is.
- ``structure_explanations``: each computed deadline's explanation is recomputed as structured steps when the
  recomputation gives the same due date (it always does, except for ECHR deadlines counted from a final decision
  before 1 February 2022, whose stored four-month date was too early: those keep their date and explanation, with
  the history untouched, for a lawyer to review; the deadline page shows the rule's six months when it is next saved).
"""
import django.core.validators
from django.db import migrations, models
from django.utils import timezone

OLD_BASIS = ("ECHR art. 35(1) as amended by Protocol No. 15 (in force 1 August 2021; four months for final decisions "
             "from 1 February 2022)")
NEW_BASIS = ("ECHR art. 35(1) as amended by Protocol No. 15 (four months for final decisions from 1 February 2022; six "
             "months for earlier final decisions, Protocol No. 15 art. 8(3))")
NEW_COUNTING = ("ECHR Practical Guide on Admissibility: counting starts the day after the final decision; four calendar "
                "months (six for a final decision before 1 February 2022); no extension when the last day is a "
                "weekend or holiday (Sabri Güneş v. Turkey [GC], no. 27396/06)")


def fix_echr(apps, schema_editor=None):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    rule = DeadlineRule.objects.filter(code="echr-application").first()
    if rule is None or rule.earlier_amount is not None or rule.legal_basis != OLD_BASIS:
        return
    rule.earlier_amount = 6
    rule.legal_basis = NEW_BASIS
    rule.counting_basis = NEW_COUNTING
    rule.save(update_fields=["earlier_amount", "legal_basis", "counting_basis"])
    try:
        Historical = apps.get_model("deadlines", "HistoricalDeadlineRule")
    except LookupError:
        return
    fields = {f.attname: getattr(rule, f.attname) for f in DeadlineRule._meta.concrete_fields}
    Historical.objects.create(**fields, history_date=timezone.now(), history_type="~", history_user=None,
                              history_change_reason="six months for final decisions before 1 February 2022")


def structure_explanations(apps, schema_editor):
    from deadlines import engine

    Deadline = apps.get_model("deadlines", "Deadline")
    qs = Deadline.objects.filter(rule__isnull=False, trigger_date__isnull=False).select_related("rule")
    for deadline in qs.iterator():
        rule = deadline.rule
        spec = engine.RuleSpec(
            code=rule.code, name=rule.name, jurisdiction=rule.jurisdiction, unit=rule.unit, amount=rule.amount,
            start=rule.start, roll_forward=rule.roll_forward, legal_basis=rule.legal_basis,
            counting_basis=rule.counting_basis, trigger_label=rule.trigger_label, valid_from=rule.valid_from,
            earlier_amount=rule.earlier_amount,
        )
        try:
            result = engine.compute(spec, deadline.trigger_date)
        except (engine.EngineError, ValueError):
            continue
        if result.due_date != deadline.due_date:
            continue
        Deadline.objects.filter(pk=deadline.pk).update(explanation=result.steps)


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0002_builtin_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='deadlinerule',
            name='earlier_amount',
            field=models.PositiveSmallIntegerField(blank=True, help_text='The time-limit (same unit) that applied to triggers before the date above, if it differed: e.g. six months for final decisions before 1 February 2022 at the ECHR.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3660)], verbose_name='amount for earlier triggers'),
        ),
        migrations.AddField(
            model_name='historicaldeadlinerule',
            name='earlier_amount',
            field=models.PositiveSmallIntegerField(blank=True, help_text='The time-limit (same unit) that applied to triggers before the date above, if it differed: e.g. six months for final decisions before 1 February 2022 at the ECHR.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3660)], verbose_name='amount for earlier triggers'),
        ),
        migrations.RunPython(fix_echr, migrations.RunPython.noop),
        migrations.RunPython(structure_explanations, migrations.RunPython.noop),
    ]

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cases.models import Proceeding
from cases.permissions import EDIT_DEADLINES, cases_for
from config.inputs import validate_date_range
from deadlines import engine
from deadlines.models import DEFAULT_LEAD_DAYS, Deadline, DeadlineRule


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DeadlineRule) -> str:
        return f"{engine.rule_text(obj.name)} — {engine.rule_text(obj.legal_basis)} ({obj.code})"


class DeadlineForm(forms.Form):
    case = forms.ModelChoiceField(queryset=None, label=_("Case"))
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Deadline.Kind.choices, initial=Deadline.Kind.OTHER)
    proceeding = forms.ModelChoiceField(queryset=None, label=_("Proceeding"), required=False)
    rule = RuleChoiceField(
        queryset=DeadlineRule.objects.none(), label=_("Rule"), required=False, to_field_name="code",
        empty_label=_("— none: I will enter the due date —"),
        help_text=_("With a rule, the due date is computed from the date it is counted from."),
    )
    trigger_date = forms.DateField(label=_("Counted from"), required=False, widget=DateInput(), validators=[validate_date_range])
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=DateInput(),
        help_text=_("Only when no rule is chosen."), validators=[validate_date_range],
    )
    due_time = forms.TimeField(label=_("Time"), required=False, widget=TimeInput())
    responsible = forms.ModelChoiceField(queryset=None, label=_("Responsible"), required=False,
                                         to_field_name="username")
    status = forms.ChoiceField(label=_("Status"), choices=Deadline.Status.choices, initial=Deadline.Status.OPEN)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=10000)

    def __init__(self, *args, user, deadline: Deadline | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        editable = cases_for(user, EDIT_DEADLINES)
        self.fields["case"].queryset = editable
        self.fields["proceeding"].queryset = Proceeding.objects.filter(case__in=editable.values("pk")).select_related(
            "case")
        self.fields["proceeding"].label_from_instance = lambda p: f"{p.case} — {p}"
        self.fields["responsible"].queryset = get_user_model().objects.filter(
            case_memberships__case__in=editable.values("pk")).distinct().order_by("username")
        rules = DeadlineRule.objects.filter(active=True)
        if deadline is not None and deadline.rule_id:
            rules = DeadlineRule.objects.filter(pk=deadline.rule_id) | rules
        self.fields["rule"].queryset = rules.order_by("jurisdiction", "code")
        if deadline is not None:
            self.fields["case"].disabled = True
        self.fields["rule"].widget.attrs["data-preview-rule"] = ""
        self.fields["trigger_date"].widget.attrs["data-preview-trigger"] = ""
        self.fields["due_date"].widget.attrs["data-due-date"] = ""

    def clean(self):
        data = super().clean()
        if data.get("rule") and not data.get("trigger_date"):
            self.add_error("trigger_date", _("A rule needs the date it is counted from."))
        if not data.get("rule") and not data.get("due_date"):
            self.add_error("due_date", _("Give a due date, or a rule and the date it is counted from."))
        if not data.get("rule"):
            data["trigger_date"] = None
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "case"}
        if data.get("rule"):
            data.pop("due_date", None)  # computed by the server
        return data


class ReminderPreferenceForm(forms.Form):
    lead_days = forms.CharField(
        label=_("Remind me this many days before"), max_length=60,
        help_text=_("Whole numbers separated by commas, e.g. 14, 7, 3, 1. Leave empty for no reminders."),
        required=False,
    )
    email_enabled = forms.BooleanField(label=_("Send e-mail reminders"), required=False, initial=True)

    def clean_lead_days(self) -> list[int]:
        raw = self.cleaned_data["lead_days"].replace(";", ",")
        try:
            days = [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of days separated by commas.")) from None
        if any(d < 0 or d > 365 for d in days) or len(days) > 10:
            raise forms.ValidationError(_("Give up to ten numbers of days between 0 and 365."))
        return days

    @staticmethod
    def initial_for(pref) -> dict:
        days = pref.lead_days if pref.pk else DEFAULT_LEAD_DAYS
        return {"lead_days": ", ".join(str(d) for d in days), "email_enabled": pref.email_enabled}

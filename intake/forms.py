"""The public report form (the page) and the parsing of the API's fields: the same rules for both."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Incident

# The categories a member of the public can choose from, most likely first.
PUBLIC_CATEGORIES = [
    (Incident.Category.WRONGFUL_STOP, _("I was stopped after a camera recognised me")),
    (Incident.Category.DETENTION, _("I was detained")),
    (Incident.Category.CAMERA_DEPLOYMENT, _("I saw new cameras")),
    (Incident.Category.DATA_LEAK, _("My data leaked or was sold")),
    (Incident.Category.OTHER, _("Something else")),
]


def not_in_future(moment: dt.datetime) -> dt.datetime:
    if moment > timezone.now() + dt.timedelta(days=1):
        raise ValidationError(_("This date is in the future."))
    if moment.year < 1990:
        raise ValidationError(_("Give a date after 1990."))
    return moment


class ReportForm(forms.Form):
    occurred_on = forms.DateField(label=_("When did it happen?"), widget=forms.DateInput(attrs={"type": "date"}),
                                  input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"])
    occurred_time = forms.TimeField(label=_("At what time? (if you remember)"), required=False,
                                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    location = forms.CharField(label=_("Where? (city, metro station, street)"), max_length=300)
    category = forms.ChoiceField(label=_("What was it?"), choices=PUBLIC_CATEGORIES,
                                 initial=Incident.Category.WRONGFUL_STOP, widget=forms.RadioSelect)
    description = forms.CharField(label=_("What happened?"), max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=_("Who stopped you, what they said, whether they mentioned the cameras, "
                                              "what happened next."))
    contact = forms.CharField(
        label=_("How can we reach you? (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A phone number, Signal, Telegram or e-mail. Leave it empty to stay anonymous."))
    file = forms.FileField(label=_("A photo, video, recording or document (optional)"), required=False)
    consent = forms.BooleanField(
        label=_("I agree that this report may be stored and used by lawyers and researchers to document and "
                "challenge the use of facial recognition. My contact details are seen only by the people who work "
                "on my case."))

    def clean(self):
        data = super().clean()
        day, time = data.get("occurred_on"), data.get("occurred_time")
        if day is not None:
            moment = timezone.make_aware(dt.datetime.combine(day, time or dt.time(12, 0)))
            try:
                data["occurred_at"] = not_in_future(moment)
            except ValidationError as error:
                self.add_error("occurred_on", error)
        return data

    def report_data(self) -> dict:
        data = self.cleaned_data
        return {"occurred_at": data["occurred_at"], "location": data["location"].strip(),
                "description": data["description"].strip(), "category": data["category"],
                "contact": data.get("contact", "").strip(), "consent": bool(data["consent"])}


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    title = forms.CharField(label=_("Incident title"), max_length=300, required=False,
                            help_text=_("Leave empty for a title made from the category and place."))
    case = forms.ModelChoiceField(label=_("Link to case"), required=False, queryset=None,
                                  empty_label=_("No case (the incident is yours)"))

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import Case

        self.fields["case"].queryset = cases if cases is not None else Case.objects.none()


class StatusForm(forms.Form):
    receipt = forms.CharField(label=_("Your receipt"), max_length=64)

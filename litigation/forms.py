"""Forms for the pages. They parse input; the services decide (who may, what is valid) and their refusals are shown
on the form. Choices offered are limited to what the user may see on the case."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Party, Proceeding
from deadlines.models import DeadlineRule
from litigation.models import Authority, AuthorityRequest
from litigation.rules import KIND_RULES
from litigation.selectors import assignable_users, requester_label

RULE_OF_KIND = ""
NO_RULE = "-"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ClaimForm(forms.Form):
    right = forms.CharField(label=_("Right or provision invoked"), max_length=500,
                            help_text=_("E.g. Article 8 of the Convention (private life); 152-FZ art. 11."))
    proceeding = forms.ModelChoiceField(queryset=Proceeding.objects.none(), required=False, label=_("Proceeding"),
                                        empty_label=_("— the case as a whole —"))
    basis = forms.CharField(label=_("Basis"), required=False, max_length=20000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    relief = forms.CharField(label=_("Relief sought"), required=False, max_length=10000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=10000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proceeding"].queryset = Proceeding.objects.filter(case=case).order_by("filed_on", "id")


class CitationForm(forms.Form):
    authority = forms.ModelChoiceField(queryset=Authority.objects.none(), label=_("Authority"),
                                       empty_label=_("— choose an authority —"))
    pinpoint = forms.CharField(label=_("Pinpoint"), required=False, max_length=200,
                               help_text=_("E.g. §§ 82-90; art. 20(1)."))

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities


class AuthorityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Authority.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=500)
    citation = forms.CharField(label=_("Citation"), required=False, max_length=500,
                               help_text=_("As cited in court, e.g. Glukhin v. Russia, no. 11519/20, 4 July 2023."))
    court = forms.CharField(label=_("Court or issuing body"), required=False, max_length=300)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    identifier = forms.CharField(label=_("Identifier"), required=False, max_length=200,
                                 help_text=_("An application number, ECLI or case number."))
    url = forms.URLField(label=_("Link"), required=False, max_length=1000, assume_scheme="https")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AuthorityRequest.Kind.choices)
    addressee = forms.CharField(label=_("Addressee"), max_length=300,
                                help_text=_("The authority or data controller."))
    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)
    requester = forms.ModelChoiceField(queryset=Party.objects.none(), required=False, label=_("On behalf of"),
                                       empty_label=_("— the organisation —"))
    body = forms.CharField(label=_("Text of the request"), required=False, max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    reply_to = forms.CharField(label=_("Address for the reply"), required=False, max_length=500)
    reference = forms.CharField(label=_("Reference or registration number"), required=False, max_length=100)
    sent_on = forms.DateField(label=_("Sent on"), required=False, widget=DateInput())
    received_on = forms.DateField(label=_("Received or registered on"), required=False, widget=DateInput(),
                                  help_text=_("The reply date is counted from this day."))
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    extended = forms.BooleanField(label=_("The addressee extended the time to reply, as the law allows"),
                                  required=False)
    jurisdiction = forms.CharField(label=_("Calendar"), required=False, max_length=4,
                                   help_text=_("For the GDPR: the controller's country (e.g. DE), whose public "
                                               "holidays count. Empty: the rule's own calendar."))
    reply_due = forms.DateField(label=_("Reply due"), required=False, widget=DateInput(),
                                help_text=_("Only with “no rule”: otherwise it is computed."))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("— set from the dates —"))]
                               + list(AuthorityRequest.Status.choices))
    replied_on = forms.DateField(label=_("Replied on"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=10000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case: Case, request_obj: AuthorityRequest | None = None, identities: bool = False,
                 **kwargs):
        super().__init__(*args, **kwargs)
        requester = self.fields["requester"]
        requester.queryset = Party.objects.filter(case=case).select_related("person").order_by("id")
        requester.label_from_instance = lambda p: f"{requester_label(p, identities=identities)} ({p.get_role_display()})"
        rules = DeadlineRule.objects.filter(active=True).order_by("jurisdiction", "code")
        if request_obj is not None and request_obj.rule_id:
            rules = DeadlineRule.objects.filter(pk=request_obj.rule_id) | rules
        self.fields["rule"].choices = (
            [(RULE_OF_KIND, _("— the rule of the kind (computed) —")), (NO_RULE, _("— no rule: I give the date —"))]
            + [(r.code, f"{r.legal_basis} ({r.code})") for r in rules.distinct()]
        )

    def service_data(self, *, creating: bool) -> dict:
        """The service's input: "the kind's rule" (computed), "no rule" (the date given), or a rule by code."""
        data = dict(self.cleaned_data)
        choice = data.pop("rule")
        if choice == NO_RULE:
            data["rule"] = None
        else:
            data.pop("reply_due", None)  # computed from the rule
            if choice != RULE_OF_KIND:
                data["rule"] = choice
            elif not creating:
                base, ext = KIND_RULES.get(data["kind"], (None, None))
                data["rule"] = ext if data.get("extended") and ext else base
        if not data.get("status"):
            data.pop("status", None)
        return data


class ReplyForm(forms.Form):
    file = forms.FileField(label=_("The reply (scan, PDF, e-mail)"))
    replied_on = forms.DateField(label=_("Replied on"), required=False, widget=DateInput(),
                                 help_text=_("Empty: today."))
    title = forms.CharField(label=_("Title of the evidence item"), required=False, max_length=300)
    refused = forms.BooleanField(label=_("The addressee refused"), required=False)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    assignee = forms.ModelChoiceField(queryset=None, required=False, label=_("Assignee"), to_field_name="username",
                                      empty_label=_("— nobody yet —"))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=10000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.BooleanField(label=_("Done"), required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users(case=case)

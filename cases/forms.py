"""Forms for the case and incident pages.

Forms only parse and validate input; the views hand ``cleaned_data`` to ``cases.services`` (which validate again and
write). Model forms are bound to an unsaved copy of the object, so validating never touches the object the service
later compares against.
"""
from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Incident, IncidentPerson, Party, Person, Proceeding, Role
from config.inputs import IdModelMultipleChoiceField

User = get_user_model()

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def apply_service_errors(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form: a ValidationError on the field it names when the form has it, else on
    top; a PermissionDenied (e.g. a link the rules refuse) on top, and nothing was written."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this."))
    elif hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def version_field() -> forms.IntegerField:
    """The version of the object the form was opened on (a hidden field): saving over a newer version is refused."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def _shown(field: forms.Field | None, value) -> str:
    if value in (None, "", [], ()):
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field is not None and getattr(field, "choices", None) and not hasattr(value, "__iter__"):
        return str(dict(field.choices).get(value, value))
    if hasattr(value, "all"):
        value = list(value.all())
    if isinstance(value, (list, tuple)) or hasattr(value, "__iter__") and not isinstance(value, str):
        return "; ".join(str(v) for v in value)
    return str(value)


def conflict_rows(form: forms.Form, current, names) -> list[dict]:
    """Someone saved ``current`` after this form was opened: the fields where what is saved now differs from what
    the form sent, both shown, and the form's hidden version moved on (sending it again saves over their change,
    knowingly)."""
    rows = []
    for name in names:
        field = form.fields.get(name)
        if field is None or name == "version" or name not in form.cleaned_data:
            continue
        yours, theirs = form.cleaned_data[name], getattr(current, name, None)
        if hasattr(theirs, "all"):
            theirs = list(theirs.all())
            yours = list(yours or [])
            if sorted(getattr(v, "pk", v) for v in yours) == sorted(getattr(v, "pk", v) for v in theirs):
                continue
        elif (yours or None) == (theirs or None):
            continue
        rows.append({"label": field.label, "yours": _shown(field, yours), "theirs": _shown(field, theirs)})
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = str(current.version)
    return rows


class CaseForm(forms.ModelForm):
    version = version_field()

    class Meta:
        model = Case
        fields = ["title", "reference", "court", "jurisdiction", "status", "summary", "privileged_notes",
                  "legal_hold", "two_factor_required"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "privileged_notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, can_view_privileged: bool = True, can_manage: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if not can_view_privileged:
            del self.fields["privileged_notes"]
        if not can_manage:  # the case's settings are for its leads
            del self.fields["legal_hold"]
            del self.fields["two_factor_required"]

    def clean_jurisdiction(self) -> str:
        return (self.cleaned_data.get("jurisdiction") or "").strip().upper()


class ProceedingForm(forms.ModelForm):
    class Meta:
        model = Proceeding
        fields = ["stage", "court", "case_number", "judge", "filed_on", "hearing_on", "decided_on", "outcome"]
        widgets = {
            "filed_on": DATE_WIDGET, "hearing_on": DATE_WIDGET, "decided_on": DATE_WIDGET,
            "outcome": forms.Textarea(attrs={"rows": 4}),
        }


class PartyForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = ["role", "name", "person", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons if persons is not None else Person.objects.none()
        self.fields["person"].label_from_instance = lambda p: p.pseudonym


class PersonForm(forms.ModelForm):
    """A person. The identity fields exist only for users who may see them."""

    version = version_field()

    class Meta:
        model = Person
        fields = ["pseudonym", "real_name", "contacts", "consent_given", "consent_date", "consent_scope"]
        widgets = {
            "consent_date": DATE_WIDGET, "contacts": forms.Textarea(attrs={"rows": 2}),
            "consent_scope": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, show_identity: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if not show_identity:
            for name in Person.IDENTITY_FIELDS:
                del self.fields[name]


class PersonContextForm(forms.Form):
    """When a person is added from a case (as a party) or an incident (as involved), how they take part."""

    party_role = forms.ChoiceField(label=_("Role in the case"), choices=Party.Role.choices, required=False)
    part = forms.ChoiceField(label=_("Part in the incident"), choices=IncidentPerson.Part.choices, required=False)

    def __init__(self, *args, context: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if context != "case":
            del self.fields["party_role"]
        else:
            self.fields["party_role"].required = True
        if context != "incident":
            del self.fields["part"]
        else:
            self.fields["part"].required = True


class SourceLinksField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value]
        lines = [line.strip() for line in (value or "").splitlines()]
        return [line for line in lines if line]

    def validate(self, value) -> None:
        check = URLValidator(schemes=["http", "https"])
        for link in value:
            if len(link) > 2000:
                raise ValidationError(_("A link can be at most 2000 characters long."))
            try:
                check(link)
            except ValidationError:
                raise ValidationError(_("“%(link)s” is not a web address (http:// or https://)."),
                                      params={"link": link[:200]}) from None
        if len(value) > 50:
            raise ValidationError(_("At most 50 links."))


class IncidentForm(forms.ModelForm):
    cases = IdModelMultipleChoiceField(
        label=_("Linked cases"), queryset=Case.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
        help_text=_("Only cases on which you may edit incidents are offered. "
                    "Once linked, the incident is visible to the members of its cases."),
    )
    source_links = SourceLinksField(label=_("Source links"), required=False,
                                    help_text=_("One web address per line."))
    persons = IdModelMultipleChoiceField(
        label=_("Persons involved"), queryset=Person.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
        help_text=_("Already recorded persons (by pseudonym). New persons can be added from the incident page."),
    )
    persons_part = forms.ChoiceField(label=_("Their part"), choices=IncidentPerson.Part.choices, required=False,
                                     initial=IncidentPerson.Part.AFFECTED)
    version = version_field()

    class Meta:
        model = Incident
        fields = ["title", "occurred_at", "category", "location", "latitude", "longitude", "agency",
                  "system_involved", "description", "source_links"]
        widgets = {"occurred_at": DATETIME_WIDGET, "description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, editable_cases=None, persons=None, with_persons: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["cases"].queryset = editable_cases if editable_cases is not None else Case.objects.none()
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                                                    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
        if with_persons:
            self.fields["persons"].queryset = persons if persons is not None else Person.objects.none()
            self.fields["persons"].label_from_instance = lambda p: p.pseudonym
        else:
            del self.fields["persons"]
            del self.fields["persons_part"]

    def clean(self):
        data = super().clean()
        if data.get("persons") and not data.get("persons_part"):
            self.add_error("persons_part", _("Choose the part these persons took."))
        return data


class IncidentPersonForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    part = forms.ChoiceField(label=_("Part"), choices=IncidentPerson.Part.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons if persons is not None else Person.objects.none()
        self.fields["person"].label_from_instance = lambda p: p.pseudonym


class _UsernameForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise ValidationError(_("No active user with this username."))
        self.cleaned_data["user"] = user
        return username

    def clean(self):
        data = super().clean()
        if "user" in self.cleaned_data:
            data["user"] = self.cleaned_data["user"]
        return data


class MemberForm(forms.Form):
    """A member and their role. The user is chosen from a list (``users``: active accounts, given by the view — the
    members page is for leads only, so the list of accounts is shown to nobody else); a new member starts with the
    least powerful role, observer."""

    username = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none(), to_field_name="username",
                                      empty_label=_("Choose a user…"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.OBSERVER,
                             help_text=_("Start with the least a person needs; a lead can give more later."))

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].queryset = users if users is not None else User.objects.none()
        self.fields["username"].label_from_instance = lambda u: u.get_username()
        self.fields["username"].error_messages["invalid_choice"] = _(
            "Choose one of the listed users: active accounts that are not on this case yet.")

    def clean(self):
        data = super().clean()
        if data.get("username") is not None:
            data["user"] = data["username"]
        return data


class ShareForm(_UsernameForm):
    can_edit = forms.BooleanField(label=_("May edit"), required=False)

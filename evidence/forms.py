from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from config.inputs import validate_date_range
from evidence.models import EvidenceItem


class EvidenceUploadForm(forms.Form):
    """The descriptive fields of an upload (the file itself is read by the upload handler)."""

    title = forms.CharField(label=_("Title"), max_length=300, required=False,
                            help_text=_("Defaults to the file name."))
    description = forms.CharField(label=_("Description"), max_length=20000, required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Detect from the file"))] + EvidenceItem.Kind.choices,
                             required=False)
    source = forms.CharField(label=_("Source"), max_length=500, required=False)
    obtained_at = forms.DateTimeField(label=_("Obtained at"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      validators=[validate_date_range])
    obtained_by = forms.CharField(label=_("Obtained by"), max_length=300, required=False)
    restricted = forms.BooleanField(label=_("Restricted (observers may not download)"), required=False)

    def cleaned_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        data.setdefault("restricted", False)
        return data


class EvidenceEditForm(EvidenceUploadForm):
    """The descriptive fields of an existing item."""

    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("title", "description", "source", "obtained_by"):
            data[name] = data.get(name) or ""
        return data

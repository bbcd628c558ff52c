from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    case = forms.ModelChoiceField(label=_("Also link every new incident to"), required=False, queryset=None,
                                  empty_label=_("No case (the incidents are yours)"))
    dry_run = forms.BooleanField(label=_("Dry run: show what would change and write nothing"), required=False,
                                 initial=True)

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        from cases.models import Case

        self.fields["case"].queryset = cases if cases is not None else Case.objects.none()

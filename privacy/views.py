"""Pages: erase a person's identity (a confirmation form on the person's page posts here)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from privacy import services
from privacy.models import ErasureRecord


class EraseForm(forms.Form):
    ground = forms.ChoiceField(label=gettext_lazy("Ground"), choices=ErasureRecord.Ground.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=gettext_lazy("For example the date and reference of the person's request."))
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that the real name, contacts and consent notes are removed from the record "
                           "and from all its history, for good."))


@login_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = permissions.person_get(request.user, pk)
    if not permissions.person_erasable(request.user, person):
        raise PermissionDenied(_("Only a lead or lawyer of every case this person is in may erase their identity."))
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(user=request.user, person=person, ground=form.cleaned_data["ground"],
                                  note=form.cleaned_data["note"])
        except services.ErasureRefused as refused:
            messages.error(request, refused.detail)
        else:
            messages.success(request, _("The identity of “%(p)s” was erased.") % {"p": person.pseudonym})
            return redirect(reverse("person-edit", args=[person.pk]))
    held = permissions.cases_holding_person(person).filter(legal_hold=True).order_by("pk")
    return render(request, "privacy/person_erase.html", {"person": person, "form": form, "held": list(held)})

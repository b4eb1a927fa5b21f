from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.labourdata.models import Kind, Source


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis data"), choices=Kind.choices, initial=Kind.WORKERS, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(
        label=_("Sumber data (untuk data pekerja)"),
        choices=[("", _("— pilih —")), *Source.choices],
        required=False,
    )
    # Empty files reach the service, whose message says what to do.
    file = forms.FileField(
        allow_empty_file=True,
        label=_("Berkas (.xlsx atau .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Kind.WORKERS and not data.get("source"):
            self.add_error("source", _("Pilih sumber data."))
        return data

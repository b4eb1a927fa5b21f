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

    # A workbook with its data behind a cover sheet is read from the sheet whose header fits;
    # when none or several fit, the job's message names the sheets and the uploader types one.
    sheet = forms.CharField(
        label=_("Lembar (opsional)"),
        help_text=_(
            "Untuk berkas .xlsx dengan beberapa lembar: nama lembar yang berisi data. "
            "Kosongkan agar dicari otomatis."
        ),
        max_length=100,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Kind.WORKERS and not data.get("source"):
            self.add_error("source", _("Pilih sumber data."))
        return data

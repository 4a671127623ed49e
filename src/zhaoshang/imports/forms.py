"""The upload form; labels are gettext msgids (Chinese via the imports catalogue)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Area

from .safety import ImportFileError
from .services import file_check


class AreaChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Area) -> str:
        return str(obj)


class UploadForm(forms.Form):
    area = AreaChoiceField(
        label=_("Import into area"), queryset=Area.objects.none(), to_field_name="code"
    )
    file = forms.FileField(
        label=_("Ledger file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and report what would change, without saving"),
        required=False,
    )

    def __init__(
        self, *args: Any, areas: Any, options: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "At most %(mb)d MB. Download the template to see the recognised headers."
        ) % {"mb": settings.ZHAOSHANG_MAX_UPLOAD_MB}
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = areas
        self.option_names = options
        if "year" in options:
            self.fields["year"] = forms.IntegerField(
                label=_("Year"),
                min_value=2000,
                max_value=2100,
                required=False,
                help_text=_(
                    "The year the file reports; a 年度 column in the file takes precedence."
                ),
            )

    def options(self) -> dict[str, Any]:
        """The kind's extra options as entered (blank ones left out)."""
        return {
            name: self.cleaned_data.get(name)
            for name in self.option_names
            if self.cleaned_data.get(name) is not None
        }

    def clean_file(self) -> Any:
        """Size, zip structure and bomb checks, before anything is unpacked or stored."""
        upload = self.cleaned_data["file"]
        try:
            file_check(upload)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload

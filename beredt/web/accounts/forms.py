"""User administration forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from beredt.web.accounts.models import UNIT_ROLES, Role, User


class UserForm(forms.ModelForm):
    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("At least 12 characters, not a common password. Leave empty to keep."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "unit",
            "municipality",
            "caregiver",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["password"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role = data.get("role")
        if role in UNIT_ROLES and not data.get("unit"):
            self.add_error("unit", _("Planners and unit managers need a unit."))
        if role == Role.CRISIS_TEAM and not data.get("municipality"):
            self.add_error("municipality", _("The crisis team needs a municipality."))
        if role == Role.CAREGIVER and not data.get("caregiver"):
            self.add_error("caregiver", _("A caregiver account is linked to a caregiver."))
        unit, municipality = data.get("unit"), data.get("municipality")
        if unit and municipality and unit.municipality_id != municipality.pk:
            self.add_error("unit", _("The unit is not in the chosen municipality."))
        password = data.get("password")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user

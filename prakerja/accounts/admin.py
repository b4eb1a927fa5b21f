from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from prakerja.accounts.models import ADMIN_ROLES, ApiToken, Role, User
from prakerja.accounts.services import user_binding_check
from prakerja.core.errors import ApplicationError


class _RoleBindingFormMixin(forms.ModelForm):
    """Runs the same binding rules as ``user_create_staff``, and derives the superuser flag
    from the role so that the database constraint never turns a form mistake into a 500."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role_value = cleaned.get("role")
        if not role_value:
            return cleaned
        role = Role(role_value)
        try:
            user_binding_check(
                role=role,
                post=cleaned.get("post"),
                regency=cleaned.get("regency"),
                provider=cleaned.get("provider"),
            )
        except ApplicationError as error:
            self.add_error(error.field if error.field in self.fields else None, str(error.message))
        self.instance.is_superuser = role == Role.SUPERADMIN
        if role in ADMIN_ROLES:
            self.instance.is_staff = True
            if "is_staff" in cleaned:
                cleaned["is_staff"] = True
        return cleaned


class UserCreationAdminForm(_RoleBindingFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "role", "post", "regency", "provider")


class UserChangeAdminForm(_RoleBindingFormMixin, UserChangeForm):
    class Meta:
        model = User
        field_classes = UserChangeForm.Meta.field_classes
        fields = (
            "username",
            "password",
            "full_name",
            "email",
            "phone",
            "role",
            "post",
            "regency",
            "provider",
            "is_active",
            "is_staff",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        )


_SCOPE_FIELDS = ("role", "post", "regency", "provider")
_SCOPE_HELP = _(
    "Petugas pendamping: satu posko. Petugas data: satu kabupaten/kota di Jawa Timur, "
    "atau kosong untuk seluruh provinsi. Operator lembaga: satu lembaga pelatihan. "
    "Peran lain tanpa posko, kabupaten/kota, atau lembaga."
)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Data diri"), {"fields": ("full_name", "email", "phone")}),
        (_("Peran dan cakupan"), {"fields": _SCOPE_FIELDS, "description": _SCOPE_HELP}),
        # No is_superuser box: superuser rights follow the superadmin role.
        (_("Akses"), {"fields": ("is_active", "is_staff", "groups", "user_permissions")}),
        (_("Waktu penting"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "usable_password", "password1", "password2"),
            },
        ),
        (_("Peran dan cakupan"), {"fields": _SCOPE_FIELDS, "description": _SCOPE_HELP}),
    )
    list_display = ["username", "full_name", "role", "post", "regency", "provider", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["post", "regency", "provider"]
    search_fields = ["username", "full_name", "email"]
    autocomplete_fields = ["post", "regency", "provider"]
    ordering = ["username"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "last_used_at", "is_active")
    fields = ("user", "name", "created_at", "last_used_at", "is_active")
    readonly_fields = ("user", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Keys are created by api_token_create, which shows the plaintext once.
        return False

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from config.api import api
from prakerja.core.views import healthz, livez

# Admin sign-in goes through allauth, so it gets the same TOTP step and lockout as every
# other staff sign-in instead of Django's bare password form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Prakerja Jatim"
admin.site.site_title = "Prakerja Jatim"

# 400/403/404 use templates/400.html etc. through Django's own handlers; 500 needs a view of
# ours, which also answers 503 + Retry-After when the database is unreachable.
handler500 = "prakerja.core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("prakerja.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("identitas/", include("prakerja.identity.urls")),
    path("daftar/", include("prakerja.registry.urls")),
    path("posko/", include("prakerja.assistance.urls")),
    path("callcenter/", include("prakerja.callcenter.urls")),
    path("petugas/", include("prakerja.assistance.console.urls")),
    path("laporan/", include("prakerja.reports.urls")),
    path("statistik/", include("prakerja.reports.urls_public")),
    path("data-disnaker/", include("prakerja.labourdata.urls")),
    path("pencocokan/", include("prakerja.linkage.urls")),
    path("gelombang/", include("prakerja.waves.urls")),
    path("pelatihan/", include("prakerja.training.urls")),
    path("lembaga/", include("prakerja.training.urls_providers")),
    path("penyelenggaraan/", include("prakerja.enrolment.urls_console")),
    path("sertifikat/", include("prakerja.enrolment.urls_public")),
    path("kotak-keluar/", include("prakerja.accounts.outbox")),
    path("data-pribadi/", include("prakerja.privacy.urls")),
    path("pelatihan-saya/", include("prakerja.enrolment.urls")),
    path("", include("prakerja.payments.urls")),
    path("sinyal/", include("prakerja.fraud.urls")),
    path("", include("prakerja.core.urls")),
]

"""Content-Security-Policy and the secure headers, and the rule that makes the policy possible:
no template runs inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from prakerja.accounts.models import User

pytestmark = pytest.mark.django_db

PAGES = ["/", "/tentang/", "/posko/", "/identitas/cek-nik/", "/accounts/login/", "/api/v1/docs"]


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_a_policy_without_inline_script(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_staff_pages_and_error_pages_carry_the_policy_too(client: Client, manager: User) -> None:
    client.force_login(manager)
    for path in ["/laporan/harian/", "/tidak-ada/"]:
        header = client.get(path)["Content-Security-Policy"]
        assert _directives(header)["script-src"] == ["'self'"]


def test_the_secure_headers_are_sent(client: Client) -> None:
    response = client.get("/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_api_docs_use_the_vendored_swagger_ui_not_a_cdn(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page


def _templates() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "prakerja"]
    found = sorted(path for root in roots for path in root.rglob("*.html"))
    assert len(found) > 20, found  # guards against a silently empty walk
    return found


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# An event-handler attribute inside a tag: ` onclick=`, ` onchange =`; not hx-on or data-on.
_HANDLER_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*?\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)


def test_no_template_has_inline_script_or_event_handler_attributes() -> None:
    offenders = []
    for path in _templates():
        text = path.read_text("utf-8")
        for match in _SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            is_data = re.search(r'type=["\']application/(ld\+)?json["\']', attributes)
            if "src=" not in attributes and not is_data:
                offenders.append(f"{path}: inline <script>")
        if _HANDLER_ATTRIBUTE.search(text):
            offenders.append(f"{path}: on*= event handler attribute")
        if re.search(r"(href|src|action)\s*=\s*[\"']\s*javascript:", text, re.IGNORECASE):
            offenders.append(f"{path}: javascript: URL")
        if re.search(r"hx-on[:-]|[\"']js:|[\"']javascript:", text):
            offenders.append(f"{path}: htmx script attribute (needs eval)")
    assert offenders == []


def _through_policy_middleware(response_attrs: dict[str, object], nonce: bool = False) -> str:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from prakerja.core.middleware import ContentSecurityPolicyMiddleware

    def view(request: object) -> HttpResponse:
        response = HttpResponse("ok")
        for name, value in response_attrs.items():
            setattr(response, name, value)
        if nonce:
            str(request.csp_nonce)  # type: ignore[attr-defined]
        return response

    request = RequestFactory().get("/")
    response = ContentSecurityPolicyMiddleware(view)(request)  # type: ignore[arg-type]
    assert isinstance(response, HttpResponse)
    return str(response.get("Content-Security-Policy", ""))


def test_the_policy_built_once_is_django_csps_own() -> None:
    from csp.utils import build_policy

    assert _through_policy_middleware({}) == build_policy()
    assert _through_policy_middleware({}) == _through_policy_middleware({})


def test_a_per_view_change_or_a_nonce_still_goes_through_django_csp() -> None:
    changed = _through_policy_middleware({"_csp_update": {"img-src": ["https://peta.example"]}})
    assert "https://peta.example" in _directives(changed)["img-src"]
    assert _through_policy_middleware({"_csp_exempt": True}) == ""
    # A nonce asked for during the view: django-csp builds the header (this policy names no
    # nonce source, so it reads the same).
    assert _directives(_through_policy_middleware({}, nonce=True))["script-src"] == ["'self'"]

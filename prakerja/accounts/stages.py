from __future__ import annotations

from typing import Any

from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.stages import EmailVerificationStage, PhoneVerificationStage

from prakerja.accounts.models import Role

# Set on a Login's state by the access-code sign-in: the applicant got the code from an
# officer in person, so their phone is not asked for a second code at that moment.
ACCESS_CODE_LOGIN = "prakerja_access_code"


class ApplicantPhoneVerificationStage(PhoneVerificationStage):
    """allauth's "verify your phone before you are in" step, for applicants only.

    Sign-up requires a phone ("phone*"), so allauth would stop every staff sign-in (staff
    have no phone on file) and every older applicant account without one. Staff prove who
    they are with password and TOTP instead.
    """

    def handle(self) -> tuple[Any, bool]:
        user = self.login.user
        if user is not None and (
            getattr(user, "role", None) != Role.APPLICANT or not getattr(user, "phone", None)
        ):
            return None, True
        if self.login.state.get(ACCESS_CODE_LOGIN):
            return None, True
        return super().handle()


class SignInEmailVerificationStage(EmailVerificationStage):
    """allauth's email-verification step without its query on a plain sign-in.

    With ``ACCOUNT_EMAIL_VERIFICATION = "optional"`` the step only acts at sign-up (it sends
    the verification mail of an unverified address), but allauth asks the database whether
    the account has a verified address before it looks whether this is a sign-up: one query
    on every sign-in, an applicant's by SMS code too (issue 17). Here the sign-up question
    comes first; any other setting, or a sign-up, is allauth's own step unchanged.
    """

    def handle(self) -> tuple[Any, bool]:
        login = self.login
        if login.email_verification == EmailVerificationMethod.OPTIONAL and not login.signup:
            return None, True
        return super().handle()

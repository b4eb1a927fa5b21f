from __future__ import annotations

from typing import Any

from allauth.account.stages import PhoneVerificationStage

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

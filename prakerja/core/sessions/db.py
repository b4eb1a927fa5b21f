from django.contrib.sessions.backends import db

from prakerja.core.sessions import FreshKeyMixin


class SessionStore(FreshKeyMixin, db.SessionStore):
    pass

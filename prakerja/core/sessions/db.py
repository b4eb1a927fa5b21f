from django.contrib.sessions.backends import db

from prakerja.core.sessions import LeanStoreMixin


class SessionStore(LeanStoreMixin, db.SessionStore):
    pass

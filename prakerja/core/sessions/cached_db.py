from django.contrib.sessions.backends import cached_db

from prakerja.core.sessions import LeanStoreMixin


class SessionStore(LeanStoreMixin, cached_db.SessionStore):
    pass

from django.contrib.sessions.backends import cached_db

from prakerja.core.sessions import FreshKeyMixin


class SessionStore(FreshKeyMixin, cached_db.SessionStore):
    pass

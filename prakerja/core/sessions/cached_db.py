from django.contrib.sessions.backends import cached_db

from prakerja.core.sessions import db


# cached_db's cache around the lean database writes: its save, load and delete call super(),
# which is db.SessionStore's (LeanStoreMixin's) in this order.
class SessionStore(cached_db.SessionStore, db.SessionStore):
    pass

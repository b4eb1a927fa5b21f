"""Writes of the linkage domain, one module per sub-domain:

- ``runs``: queueing a linkage run and the job itself (exact NIK links, Splink, the
  registrants' flags), with the set-based history of the links it writes;
- ``decisions``: a data officer's review of a proposed link (accept, reject, unlink);
- ``outreach``: the outreach export log and the SMS invitations to reported workers;
- ``jps``: JPS review cases, opened after an import or a selection, and their resolution.

Import from the module, not from this package: nothing is re-exported here, so an import
says where the function lives. Reads are in ``linkage.selectors``.
"""

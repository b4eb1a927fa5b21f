"""Writes of the registry (SPEC §3.2), one module per sub-domain (as Zulip's ``actions/``):

- ``programme``: the programme and its seed;
- ``registration``: starting a registration, its NIK, the account's phone number;
- ``draft``: filling in the steps of a draft;
- ``submission``: submitting, eligibility decided (the engine is ``registry.eligibility``);
- ``receipt``: the SMS receipt after a submission;
- ``rules``: the programme manager's changes to the eligibility rules;
- ``common``: the checks they share (who may edit, one NIK registers once).

Import from the module, not from this package: nothing is re-exported here, so an import
says where the function lives. Reads are in ``registry.selectors``; API tokens in
``accounts.tokens``.

Every service is keyword-only and takes the ``actor``: the applicant themself, or an officer,
a call-centre agent or a superadmin acting on their behalf (the officer console calls these
same functions). Each runs in one transaction, writes its history row with the actor
(``audit_as``), and leaves side effects (the SMS receipt) to ``transaction.on_commit``, so a
rolled-back write never sends anything.

Validation raises ``StepInvalid`` (``registry.errors``: an ``ApplicationError`` carrying every
field error, the first one as its own code/message/field) before anything is written: bad
input never leaves a half-written record.
"""

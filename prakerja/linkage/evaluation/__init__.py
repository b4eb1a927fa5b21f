"""An evaluation set for record linkage, built independently of the tuning generator.

``prakerja.labourdata.synthetic`` is what the matching was tuned on; measuring on it again only
shows that the tuning fits its own data. This module draws another population with its own
naming and its own error model, so that the figures in ``bench/README.md`` say how the matching
does on data it was never tuned on. Only generic helpers are shared (region codes, ``nik_build``,
``nik_parse``); no name list and no error rule comes from ``synthetic``.

Data only: no database, no Django models. ``bench/linkage.py --population independent`` inserts
it and scores the job with ``score``.

The population lives in households: one KK (family card) per household, whose number is the
district, the card's issue date and a serial (so it is also a well-formed NIK, which is what
makes "KK typed into the NIK column" slip through the import); members born in the household's
district; twins (same KK, same birth date, consecutive NIK serials; a girl's NIK day is +40);
some households share one phone. Names are East Java's: Javanese, Madurese and Islamic, in old
(Soekarno, Djoko, Tjahjo) and new spellings, Muhammad written Moch./Moh./M., Siti as St.

Each report is about a registrant (a *positive*, labelled with its ``error_class``) or about
someone who never registered (a *negative*, labelled with its ``negative`` type). Rates are
fixed quotas of the report count (``POSITIVE_CLASSES`` and ``NEGATIVE_TYPES``), not coin flips,
so every class is present at its rate even in a small set. A positive has exactly one error
class; every class but the NIK ones also has a one-digit NIK typo, otherwise the exact-NIK
link would find the pair and the class would measure nothing.

Everyone worked somewhere (``employers``): each regency's own large, medium and small
employers, or abroad (a PMI, whose report has no company). The registration's "tempat kerja
terakhir" is what the applicant typed (blank for about a third; the legal form dropped, an
acronym, a branch or unit added, a typo, any case), the report's "perusahaan" the employer's
formal name as the company writes it. Household members, twins and relatives share an employer
at times, and 8% of namesakes work at the registrant's own large employer (the hard negative
``namesake_same_employer``). The rates are in that module's docstring; its draws use their own
random stream, so the rest of the population is the same as before employers were added.

The modules: ``names`` (the name vocabulary: first, middle and last names, titles, old
spellings, neighbouring regencies), ``variation`` (the error model: what each error class
does to a name, a NIK or a date), ``employers`` (employers, the typed last employer and the
report's company), ``population`` (households, registrants and the report rows: ``build``) and
``scoring`` (``score``: a run's links against the set's truth). Import from the module: nothing
is re-exported here.
"""

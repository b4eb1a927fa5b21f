"""Signals between domains that must not import each other.

``selection_published``: sent by the waves app when a selection run is published, inside the
publishing transaction. Keyword arguments: ``run`` (the published run), ``wave`` (its wave),
``registration_ids`` (list[int]: the selected registrations). The linkage app's JPS review
listens to it and opens a review case for each selected applicant who receives JPS; the
enrolment app makes each selected applicant a participant with the training balance.
"""

from django.dispatch import Signal

selection_published = Signal()

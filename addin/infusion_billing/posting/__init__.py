"""Payment posting and reconciliation, and the payer simulator that gives the demo its remits.

* :mod:`.contract`: the FeeSchedule rate in force on a date, expected allowed, the tolerance;
* :mod:`.adjudicate` and :mod:`.simulator`: 835 files for the book's claims with planted outcomes;
* :mod:`.events`: imported remit lines matched to claim lines as events;
* :mod:`.reconcile`: the ``reconcile`` stage and its four derived sheets.
"""

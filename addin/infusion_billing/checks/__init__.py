"""Pre-bill checks: documentation, eligibility, prior authorization, timely filing and payer rules.

Each rule has a stable ID (``doc.ndc-missing``), a severity (error = hold the claim, warning =
review it), a message with named slots and the source it comes from; the rules live in one module
per family and are collected by :mod:`.registry`. :func:`.stage.run` is the pipeline's ``check``
stage. The rules reference, ``docs/rules.md``, is generated from the rule catalogue by
:mod:`infusion_billing.rules.docs`.
"""

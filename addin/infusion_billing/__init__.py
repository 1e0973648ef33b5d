"""infusion-billing: the billing engine behind the Excel add-in and the ``infusion-billing`` command.

Everything here is plain Python over pydantic models and pandas; nothing in this package imports
xlwings. The Excel layer lives in :mod:`infusion_billing.udfs` and :mod:`infusion_billing.macros`.
"""

__version__ = "0.1.0"

"""The coding engine: administrations into claim lines (codes, units, modifiers, NDC, charges).

Public API:

* :func:`code_book` (``infusion_billing.coding.engine``): every encounter of a read workbook into a
  :class:`CodingResult` (``.lines`` ChargeLines, ``.findings``, ``.status`` per encounter);
* :func:`infusion_billing.coding.stage.run`: the pipeline's ``code`` stage (the Charges sheet);
* :mod:`.minutes` and :mod:`.drug_lines`: the arithmetic a biller checks by hand (infusion minutes,
  add-on hour units, drug units, JW units), also behind the ``IB_*`` worksheet functions;
* :mod:`.rules`: every rule ID with its title; ``tables/*.csv``: the rules as versioned data.

The rules follow docs/coding-rules.md sections 2-12 (source tags ``[Sn]`` in the docstrings resolve in
``docs/sources.md``); the options where sources disagree are listed in ``docs/coding-options.md``.
"""

from .engine import CODED, HELD, NOTHING_TO_CODE, CodingResult, EncounterStatus, code_book  # noqa: F401

"""The rule catalogue: every rule ID the tool can emit, declared once.

A rule is a stable ID (``family.what``: ``reader.missing-value``, ``coding.addon-hour``,
``doc.ndc-missing``, ``era.claim-unbalanced``) with its severity, a title, the message (a
template with named slots, or composed where the problem is found), the suggested fix and the source
it rests on. :mod:`.spec` defines :class:`~.spec.RuleSpec`; each family is declared in one module:

* :mod:`.reader` (``reader.*``): the workbook's tables, columns and cells;
* :mod:`infusion_billing.coding.rules` (``coding.*``): claim lines and coding problems;
* the check families (``doc``, ``elig``, ``auth``, ``filing``, ``payer``): declared with their check
  function in :mod:`infusion_billing.checks` (one ``@rule`` each);
* :mod:`.x12` (``x12.*``): any X12 file's envelope and separators;
* :mod:`.era` (``era.*``): 835 remittance files;
* :mod:`.runs` (``pipeline.*``, ``check.*``): the run itself;
* :mod:`.writer` (``writer.*``): results renamed, cut or moved to fit.

:mod:`.catalogue` collects them all (``docs/rules.md`` is generated from it by :mod:`.docs`), and a
test fails when the code emits an ID the catalogue lacks. This package module stays import-free so a
family module can be imported by the code that emits its findings without loading the others.
"""

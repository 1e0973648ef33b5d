"""The one X12 layer: read any X12 file into segments, write segments and envelopes back.

* :mod:`.source` opens a path, bytes, text or file object (hashed, decoded 1 MB at a time);
* :mod:`.tokenizer` cuts it into segments with the separators its ISA declares, tolerating the
  layouts real files use (CR/LF, wrapped lines, bare files, odd separators);
* :mod:`.elements` types element text (money as Decimal to the cent, dates, quantities);
* :mod:`.writer` builds segments (refusing separators inside data) and the ISA/GS/ST envelopes
  with their counts and control numbers.

The 835 remittance reader (:mod:`infusion_billing.remits`) and the 837 claim writer and reader
(:mod:`infusion_billing.claims`) share it.
"""

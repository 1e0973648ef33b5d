"""Synthetic people and identifiers for the demo clinic: nobody here exists.

Names are built from syllables, so no list of real people is involved; NPIs are random nine-digit
numbers with a correct check digit (the Luhn sum over ``80840`` + the number, as CMS computes it);
member IDs only have the shape of the real ones (a Medicare MBI-like 11-character ID, a Medicaid
number, a commercial prefix and digits). Every function takes the caller's ``random.Random`` so
the same seed always gives the same people.

>>> import random
>>> from infusion_billing.identifiers import npi
>>> npi.is_valid(synthetic_npi(random.Random(1)))
True
"""

from __future__ import annotations

import random
import string

from ..identifiers import npi

_ONSETS = ("b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
           "br", "cl", "dr", "fl", "gr", "pr", "st", "th", "tr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y")
_CODAS = ("", "", "", "n", "r", "l", "s", "th", "m", "x")
_FIRST_ENDINGS = ("a", "o", "en", "is", "ela", "ian", "ette", "or", "ina", "el", "yn", "ari")
_LAST_ENDINGS = ("son", "wick", "ley", "ford", "man", "ton", "berg", "ridge", "well", "croft", "dale", "more",
                 "holt", "stead")


def _syllable(rng: random.Random) -> str:
    return rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)


def first_name(rng: random.Random) -> str:
    """A pronounceable made-up first name such as ``Draiela``."""
    return (_syllable(rng) + rng.choice(_FIRST_ENDINGS)).capitalize()


def last_name(rng: random.Random) -> str:
    """A made-up family name such as ``Kourvenridge``."""
    parts = [_syllable(rng) for _ in range(rng.choice((1, 1, 2)))]
    return ("".join(parts) + rng.choice(_LAST_ENDINGS)).capitalize()


def synthetic_npi(rng: random.Random, entity: str = "1") -> str:
    """A 10-digit NPI with a valid check digit (``entity`` 1 = a person, 2 = an organisation)."""
    base = entity + "".join(rng.choice(string.digits) for _ in range(8))
    return base + npi.calc_check_digit(base)


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # the MBI alphabet leaves out S, L, O, I, B and Z


def medicare_id(rng: random.Random) -> str:
    """An ID shaped like a Medicare Beneficiary Identifier: C A X N A X N A A N N (X = letter or digit)."""
    pick = {"C": "123456789", "A": _MBI_LETTERS, "X": _MBI_LETTERS + string.digits, "N": string.digits}
    return "".join(rng.choice(pick[p]) for p in "CAXNAXNAANN")


def medicaid_id(rng: random.Random) -> str:
    return "EV" + "".join(rng.choice(string.digits) for _ in range(9))


def commercial_id(rng: random.Random, payer_id: str) -> str:
    return payer_id + "".join(rng.choice(string.digits) for _ in range(9))


def lot_number(rng: random.Random) -> str:
    """A lot number as printed on a vial: two letters and five digits."""
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(2)) + \
        "".join(rng.choice(string.digits) for _ in range(5))


#: Made-up towns of the demo clinic's made-up county, with the ZIP codes the demo gives them.
_TOWNS = (("Springfield", "62704"), ("Chatham", "62629"), ("Rochester", "62563"), ("Sherman", "62684"),
          ("Riverton", "62561"), ("Auburn", "62615"))
_STREETS = ("Street", "Avenue", "Road", "Lane", "Court", "Drive")


def address(rng: random.Random) -> tuple[str, str, str, str]:
    """A made-up street address in the clinic's area: (street, city, state, ZIP)."""
    town, zip_code = rng.choice(_TOWNS)
    name = (_syllable(rng) + rng.choice(_LAST_ENDINGS)).capitalize()
    street = f"{rng.randrange(10, 9990)} {name} {rng.choice(_STREETS)}"
    return street, town, "IL", zip_code

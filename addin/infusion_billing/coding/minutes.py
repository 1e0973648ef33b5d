"""Infusion time in whole minutes, and the add-on hour formulas (docs/coding-rules.md section 4).

Time starts when the drug starts and stops when it stops [S43]; documented interruptions (a
reaction, a pump alarm) are taken off [S20]. An infusion that runs past midnight is reported on its
start date with its whole time [S50]: the Administrations row carries a Stop Date only then.

Worked checks from section 4, all reproduced by the functions below:

* 90 minutes of chemo is 96413 alone; 93 minutes adds one 96415 [S12];
* 105 minutes of therapeutic infusion is 96365 + 96366 x 1 [S22];
* hydration from 23:00 to 02:00 (180 minutes) is 96360 + 96361 x 2 [S50];
* 2 h 35 min of doxorubicin is 96413 + 96415 x 2 [S16]; 5 h 12 min is 96413 + 96415 x 4 [S21];
* 175 minutes of hydration after another initial service is 96361 x 3 [S24].

>>> addon_hour_units(93), addon_hour_units(90), addon_hour_units(155), addon_hour_units(312)
(1, 0, 2, 4)
>>> secondary_hydration_units(175), secondary_hydration_units(30), secondary_hydration_units(31)
(3, 0, 1)
"""

from __future__ import annotations

from datetime import date, time

from .rules import INTERRUPTION_INVALID, START_DATE_INVALID, STOP_BEFORE_START

MINUTES_PER_DAY = 24 * 60


class TimeProblem(ValueError):
    """Clock times that cannot be turned into minutes: which rule, which column, and why."""

    def __init__(self, rule_id: str, column: str, message: str) -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.column = column
        self.message = message


_CLOCK_FACES = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(MINUTES_PER_DAY))


def clock_minutes(t: time) -> int:
    """Minutes since midnight: 11:20 -> 680."""
    return t.hour * 60 + t.minute


def clock_text(minutes: int) -> str:
    """680 -> ``11:20``; a time past midnight of the next day keeps its clock face (1560 -> ``02:00``)."""
    return _CLOCK_FACES[minutes % MINUTES_PER_DAY]


def span(day: date, start: time, stop: time, stop_date: date | None = None,
         start_date: date | None = None) -> tuple[int, int]:
    """Start and end of an administration as minutes from midnight of ``day`` (its date of service).

    A Stop Date after ``day`` adds whole days to the end, so 23:00 to 02:00 next day is (1380, 1560).
    A Start Date after ``day`` (a bag hung after midnight) adds whole days to both ends; without a
    Stop Date the stop is on the start's day.
    Raises :class:`TimeProblem` (``coding.stop-before-start``) when the stop comes before the start,
    which usually means a missing Stop Date or swapped times.
    """
    begin = start.hour * 60 + start.minute
    end = stop.hour * 60 + stop.minute
    if start_date is not None and start_date != day:
        offset = start_day_offset(day, start_date)
        begin += offset
        if stop_date is None:
            end += offset
    if stop_date is not None and stop_date != day:
        days = (stop_date - day).days
        if days < 0:
            raise TimeProblem(STOP_BEFORE_START, "Stop Date",
                              f"Stop Date {stop_date.isoformat()} is before the date of service {day.isoformat()}.")
        end += days * MINUTES_PER_DAY
    if end < begin:
        pm = pm_reading(begin, end) if stop_date is None or stop_date == day else None
        raise TimeProblem(STOP_BEFORE_START, "Stop",
                          f"Stop {clock_text(end)} is before start {clock_text(begin)}; "
                          + (pm or "if the infusion ran past midnight, fill in its Stop Date."))
    return begin, end


#: The longest same-day infusion a chart plausibly shows (IVIG and first rituximab doses run 4 to 6
#: hours): a PM reading of a stop time that makes it longer is not suggested.
PLAUSIBLE_MINUTES = 8 * 60


def pm_reading(begin: int, end: int) -> str | None:
    """The suggestion for a stop charted on a 12-hour clock without its PM (minutes from midnight).

    A stop before noon and before the start is read as afternoon time; when that comes after the
    start and gives at most :data:`PLAUSIBLE_MINUTES`, the finding suggests it (the biller decides,
    nothing is changed). None otherwise: 09:00 to 08:00 would be an 11-hour infusion, not a missing PM.

    >>> pm_reading(690, 75)   # 11:30 to 1:15
    'read as 1:15 PM (13:15) it ran 1 h 45 min: if that is what the MAR shows, correct Stop to 13:15.'
    >>> pm_reading(600, 30)   # 10:00 to 0:30, half past noon
    'read as 12:30 PM (12:30) it ran 2 h 30 min: if that is what the MAR shows, correct Stop to 12:30.'
    >>> pm_reading(540, 480) is None, pm_reading(840, 60) is None, pm_reading(710, 740) is None
    (True, True, True)
    """
    if end >= 12 * 60:
        return None
    pm = end + 12 * 60
    length = pm - begin
    if not 0 < length <= PLAUSIBLE_MINUTES:
        return None
    hours, minutes = divmod(length, 60)
    took = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    twelve = f"{(end // 60) or 12}:{end % 60:02d} PM"
    return (f"read as {twelve} ({clock_text(pm)}) it ran {took}: if that is what the MAR shows, correct Stop to "
            f"{clock_text(pm)}.")


def start_day_offset(day: date, start_date: date | None) -> int:
    """Minutes from midnight of the date of service to midnight of the Start Date (0 when blank).

    Raises :class:`TimeProblem` (``coding.start-date-invalid``) for a Start Date before the date of service.
    """
    if start_date is None or start_date == day:
        return 0
    days = (start_date - day).days
    if days < 0:
        raise TimeProblem(START_DATE_INVALID, "Start Date",
                          f"Start Date {start_date.isoformat()} is before the date of service {day.isoformat()}.")
    return days * MINUTES_PER_DAY


def infusion_minutes(start: time, stop: time, interrupted: int = 0, *, stop_date: date | None = None,
                     start_date: date | None = None) -> int:
    """Counted minutes of one infusion: stop - start - interruptions.

    An infusion past midnight needs both dates (``start_date`` and a later ``stop_date``).

    >>> from datetime import time
    >>> infusion_minutes(time(11, 20), time(16, 40), 75)
    245
    """
    day = start_date or stop_date or date(2000, 1, 1)
    begin, end = span(day, start, stop, stop_date)
    return counted(begin, end, interrupted, INTERRUPTION_INVALID)


def counted(begin: int, end: int, interrupted: int, rule_id: str = INTERRUPTION_INVALID) -> int:
    """``end - begin - interrupted``; interruptions must be at least 0 and shorter than the infusion."""
    elapsed = end - begin
    if interrupted < 0:
        raise TimeProblem(rule_id, "Interrupted Minutes", "Interrupted Minutes cannot be negative.")
    if interrupted and interrupted >= elapsed:
        raise TimeProblem(rule_id, "Interrupted Minutes",
                          f"Interrupted Minutes ({interrupted}) is not shorter than the {elapsed} minutes "
                          f"from start to stop.")
    return elapsed - interrupted


def addon_hour_units(minutes: int, hour: int = 60, over: int = 30) -> int:
    """Additional-hour units after an initial or sequential infusion (96361/96366/96415/96370).

    The first hour is in the initial code; the time past it (``extra = T - 60``) earns units only when
    it is more than 30 minutes: ``units = floor(extra/60) + (1 if extra mod 60 > 30 else 0)``.
    """
    extra = minutes - hour
    if extra <= over:
        return 0
    return extra // hour + (1 if extra % hour > over else 0)


def secondary_hydration_units(minutes: int, hour: int = 60, over: int = 30) -> int:
    """96361 units when hydration follows a different initial service (no 96360 on the claim).

    Hydration needs more than 30 minutes; each hour counts and a last part of more than 30 minutes
    counts: ``units = floor(T/60) + (1 if T mod 60 > 30 else 0)`` for T >= 31 [S24].
    """
    if minutes <= over:
        return 0
    return minutes // hour + (1 if minutes % hour > over else 0)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Minutes two intervals share (0 when they only touch: one bag stops at 10:00, the next starts)."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def minutes_outside(interval: tuple[int, int], others: list[tuple[int, int]]) -> int:
    """Minutes of ``interval`` not covered by any of ``others`` (each overlap counted once).

    Hydration minutes are counted this way: time running alongside another infusion, or taken by a
    documented push, is not hydration time [S1][S24].

    >>> minutes_outside((540, 720), [(600, 605), (650, 655)])
    170
    """
    begin, end = interval
    cuts = sorted((max(begin, o[0]), min(end, o[1])) for o in others if o[1] > begin and o[0] < end)
    covered = 0
    # The covered run being merged; it starts empty at ``begin`` (every cut is clipped to the interval).
    cur_begin = cur_end = begin
    for b, e in cuts:
        if b > cur_end:
            covered += cur_end - cur_begin
            cur_begin, cur_end = b, e
        elif e > cur_end:
            cur_end = e
    covered += cur_end - cur_begin
    return (end - begin) - covered

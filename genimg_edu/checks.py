"""Argument checks shared by the chapters: a bad value is a ValueError/TypeError that names the argument
and says what it must be (tests/test_properties.py feeds every public function bad values).

    check_int("steps", steps, low=1)                     # an int (not a bool) >= 1
    check_number("guidance", guidance, low=0)            # a finite int/float >= 0
    check_number("dropout", p, low=0, high=1, high_open=True)
    check_seed("seed", seed)                             # an int in [0, 2**32)
"""
from __future__ import annotations

import math


def check_int(name: str, value, *, low: int | None = None, high: int | None = None) -> int:
    """value must be an int (not a bool) in [low, high]; returns it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int{_range(low, high)}, got {value!r:.60}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an int{_range(low, high)}, got {value!r}")
    return value


def check_number(name: str, value, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """value must be a finite int/float (not a bool) in the interval; returns it."""
    interval = _interval(low, high, low_open, high_open)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a finite number{interval}, got {value!r:.60}")
    if not math.isfinite(value) or (low is not None and (value <= low if low_open else value < low)) or (
            high is not None and (value >= high if high_open else value > high)):
        raise ValueError(f"{name} must be a finite number{interval}, got {value!r}")
    return value


def check_seed(name: str, value) -> int:
    """A random seed: an int in [0, 2**32)."""
    return check_int(name, value, low=0, high=2**32 - 1)


def _range(low, high) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    return f" >= {low}" if low is not None else f" <= {high}" if high is not None else ""


def _interval(low, high, low_open, high_open) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f" {'>' if low_open else '>='} {low}"
    if low is None:
        return f" {'<' if high_open else '<='} {high}"
    return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"

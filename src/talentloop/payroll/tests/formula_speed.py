"""How long 100,000 evaluations of typical salary-component formulas take (a measurement, not a test).

Run: ``.venv/bin/python -m talentloop.payroll.tests.formula_speed``. Each formula is compiled once and evaluated
for 100,000 people with different values, as a payroll run does; the best of three rounds is printed.
"""

from __future__ import annotations

import os
import time
from decimal import Decimal

PEOPLE = 100_000
FORMULAS = (
    "base / 21.75 * attendance_days",
    "if(rating >= 4, base * 0.2, 0)",
    "round(overtime_hours_150 * base / 21.75 / 8 * 1.5, 2)",
    "if(has_rating == 1 and rating >= 4, round(base * min(0.1 * (rating - 3), 0.3), 2), 0)",
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentloop.config.settings.test")
    import django

    django.setup()
    from talentloop.payroll.formula import PAYROLL_VARIABLES, compile_formula

    people = [
        {
            "base": Decimal(8000 + i % 5000),
            "attendance_days": Decimal(15 + i % 7),
            "overtime_hours_150": Decimal(i % 13),
            "rating": Decimal(i % 6),
            "has_rating": Decimal(1 if i % 6 else 0),
        }
        for i in range(PEOPLE)
    ]
    for text in FORMULAS:
        evaluate = compile_formula(text, PAYROLL_VARIABLES).evaluate
        best = float("inf")  # seconds, for the report only
        for _ in range(3):
            started = time.perf_counter()
            for values in people:
                evaluate(values)
            best = min(best, time.perf_counter() - started)
        print(f"{PEOPLE:,} evaluations of {text}: {best:.3f} s ({best / PEOPLE * 1e6:.2f} µs each)")


if __name__ == "__main__":
    main()

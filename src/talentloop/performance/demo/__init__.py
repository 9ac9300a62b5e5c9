"""The demo company's performance history, for ``talentloop demo`` and ``talentloop seed``.

What it loads into a company that :mod:`talentloop.organisation.demo` has just written:

* **Metrics** with bilingual names, units, directions and aggregations (sums, averages, counts,
  last values and the ratio "bugs per 1,000 lines"), for people and for org units (headcount,
  hours, budget, market demand: the context of a root-cause review).
* **Scorecards**: the two examples of PRODUCT.md — the factory (output 30, quality 25, customer
  feedback 20, innovation 15, teamwork 10) and the software engineer (code quality 30, delivery
  25, teamwork 20, customer feedback 25, with an older version before it) — one per other job
  family, one for an org unit and family together, and the organisation-wide default. Written
  through the configuration services, so they obey the same rules as HR's own.
* **Observations** for every person for every month from 1 January three years ago until today,
  only while they are employed and not on leave: individual trends (steady, improving, declining,
  a recent drop, the ramp-up of a new hire, and "stars" such as the ``mentor`` account whose annual
  rating is at least 4.5 in each of the last three complete years), corrections among them, and
  org-unit context every month. A few stories give alerts and root-cause reviews something to
  find: the sales target raised too far in May of the current year (a new scorecard version),
  a customer-service hotline short of hours whose response times climb (one agent from about
  1 h to about 3 h), and a packaging line whose skill assessments lag its peers.
* **Quarterly review cycles** (closed) with self, manager and peer reviews whose ratings feed
  the teamwork dimensions, **scores** rebuilt with :func:`recompute_period` for every month,
  quarter and year, **final ratings** for the complete years, and those years' periods closed.

Everything comes from ``random.Random`` seeded with the seed and each person's employee number,
so the same company, seed and reference date give the same history; observations are written
with a few set-based statements, never one query per person.

Modules: :mod:`.catalogue` (metrics and scorecards as data), :mod:`.history` (the people and
their drawn history, no writes), :mod:`.load` (writing it all, and wiping it).
"""

from talentloop.performance.demo.catalogue import CARDS, GEN, HISTORY_YEARS, METRIC_BY_KEY, METRICS, card_metric_keys
from talentloop.performance.demo.history import (
    Company,
    HistoryPlanner,
    Person,
    Unit,
    company_from_plan,
    read_company,
)
from talentloop.performance.demo.load import (
    OBS_COLUMNS,
    HistoryResult,
    all_periods,
    analyze_tables,
    configure,
    history_loaded,
    insert_rows,
    load_history,
    summary,
    wipe_performance,
)

__all__ = [
    "CARDS", "GEN", "HISTORY_YEARS", "METRICS", "METRIC_BY_KEY", "OBS_COLUMNS", "Company", "HistoryPlanner",
    "HistoryResult", "Person", "Unit", "all_periods", "analyze_tables", "card_metric_keys", "company_from_plan",
    "configure", "history_loaded", "insert_rows", "load_history", "read_company", "summary", "wipe_performance",
]

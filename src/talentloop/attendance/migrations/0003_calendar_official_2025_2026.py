"""The official holiday calendar of 2025 and 2026, from the State Council notices.

2025: 国务院办公厅关于2025年部分节假日安排的通知, 国办发明电〔2024〕12号, 12 November 2024
(published by Xinhua; text as carried at https://m.gmw.cn/2024-11/12/content_1303894933.htm).
2026: 国务院办公厅关于2026年部分节假日安排的通知, 国办发明电〔2025〕7号, 4 November 2025
(published by Xinhua; text as carried at https://politics.gmw.cn/2025-11/04/content_38391083.htm; the
document number as cited from the gov.cn policy library).

The statutory holidays themselves follow the 全国年节及纪念日放假办法 as revised in November 2024 —
13 days a year from 2025: New Year's Day 1, Spring Festival 4 (New Year's Eve and the first three
days), Qingming 1, Labour Day 2 (1 and 2 May), Dragon Boat 1, Mid-Autumn 1, National Day 3 (1 to 3
October). Each is a ``statutory`` row even when it falls on a weekend (overtime on it is 300%). The
other weekdays of each break are ``rest`` rows (调休 or 补休); weekend days inside a break need no row
(they are rest days anyway); each weekend day the notice turns into a workday (调休上班) is a
``workday`` row. Lunar dates: Spring Festival 29 Jan 2025 and 17 Feb 2026; Dragon Boat 31 May 2025
and 19 Jun 2026; Mid-Autumn 6 Oct 2025 and 25 Sep 2026; Qingming (the solar term) 4 Apr 2025 and
5 Apr 2026.
"""

import datetime as dt

from django.db import migrations

S, R, W = "statutory", "rest", "workday"

NEW_YEAR = ("元旦", "New Year's Day")
SPRING = ("春节", "Spring Festival")
EVE = ("除夕", "Spring Festival Eve")
QINGMING = ("清明节", "Qingming Festival")
LABOUR = ("劳动节", "Labour Day")
DRAGON = ("端午节", "Dragon Boat Festival")
MID_AUTUMN = ("中秋节", "Mid-Autumn Festival")
NATIONAL = ("国庆节", "National Day")
REST = ("{}假期", "{} break")
SHIFTED = ("{}调休上班", "Workday moved for {}")


def _rest(name):
    return REST[0].format(name[0]), REST[1].format(name[1])


def _shifted(name):
    return SHIFTED[0].format(name[0]), SHIFTED[1].format(name[1])


DAYS = [
    # ---- 2025, 国办发明电〔2024〕12号
    (dt.date(2025, 1, 1), S, NEW_YEAR),
    (dt.date(2025, 1, 26), W, _shifted(SPRING)),
    (dt.date(2025, 1, 28), S, EVE),
    (dt.date(2025, 1, 29), S, SPRING),
    (dt.date(2025, 1, 30), S, SPRING),
    (dt.date(2025, 1, 31), S, SPRING),
    (dt.date(2025, 2, 3), R, _rest(SPRING)),
    (dt.date(2025, 2, 4), R, _rest(SPRING)),
    (dt.date(2025, 2, 8), W, _shifted(SPRING)),
    (dt.date(2025, 4, 4), S, QINGMING),
    (dt.date(2025, 4, 27), W, _shifted(LABOUR)),
    (dt.date(2025, 5, 1), S, LABOUR),
    (dt.date(2025, 5, 2), S, LABOUR),
    (dt.date(2025, 5, 5), R, _rest(LABOUR)),
    (dt.date(2025, 5, 31), S, DRAGON),
    (dt.date(2025, 6, 2), R, _rest(DRAGON)),
    (dt.date(2025, 9, 28), W, _shifted(NATIONAL)),
    (dt.date(2025, 10, 1), S, NATIONAL),
    (dt.date(2025, 10, 2), S, NATIONAL),
    (dt.date(2025, 10, 3), S, NATIONAL),
    (dt.date(2025, 10, 6), S, MID_AUTUMN),
    (dt.date(2025, 10, 7), R, _rest(NATIONAL)),
    (dt.date(2025, 10, 8), R, _rest(NATIONAL)),
    (dt.date(2025, 10, 11), W, _shifted(NATIONAL)),
    # ---- 2026, 国办发明电〔2025〕7号
    (dt.date(2026, 1, 1), S, NEW_YEAR),
    (dt.date(2026, 1, 2), R, _rest(NEW_YEAR)),
    (dt.date(2026, 1, 4), W, _shifted(NEW_YEAR)),
    (dt.date(2026, 2, 14), W, _shifted(SPRING)),
    (dt.date(2026, 2, 16), S, EVE),
    (dt.date(2026, 2, 17), S, SPRING),
    (dt.date(2026, 2, 18), S, SPRING),
    (dt.date(2026, 2, 19), S, SPRING),
    (dt.date(2026, 2, 20), R, _rest(SPRING)),
    (dt.date(2026, 2, 23), R, _rest(SPRING)),
    (dt.date(2026, 2, 28), W, _shifted(SPRING)),
    (dt.date(2026, 4, 5), S, QINGMING),
    (dt.date(2026, 4, 6), R, _rest(QINGMING)),
    (dt.date(2026, 5, 1), S, LABOUR),
    (dt.date(2026, 5, 2), S, LABOUR),
    (dt.date(2026, 5, 4), R, _rest(LABOUR)),
    (dt.date(2026, 5, 5), R, _rest(LABOUR)),
    (dt.date(2026, 5, 9), W, _shifted(LABOUR)),
    (dt.date(2026, 6, 19), S, DRAGON),
    (dt.date(2026, 9, 20), W, _shifted(NATIONAL)),
    (dt.date(2026, 9, 25), S, MID_AUTUMN),
    (dt.date(2026, 10, 1), S, NATIONAL),
    (dt.date(2026, 10, 2), S, NATIONAL),
    (dt.date(2026, 10, 3), S, NATIONAL),
    (dt.date(2026, 10, 5), R, _rest(NATIONAL)),
    (dt.date(2026, 10, 6), R, _rest(NATIONAL)),
    (dt.date(2026, 10, 7), R, _rest(NATIONAL)),
    (dt.date(2026, 10, 10), W, _shifted(NATIONAL)),
]


def forwards(apps, schema_editor):
    CalendarDay = apps.get_model("attendance", "CalendarDay")
    # A database that already holds an official row for one of these dates (set by HR before the
    # migration ran) keeps it: the notice's row is added only where there is none.
    taken = set(CalendarDay.objects.filter(site__isnull=True, date__in=[d for d, _k, _n in DAYS])
                .values_list("date", flat=True))
    CalendarDay.objects.bulk_create([
        CalendarDay(date=date, kind=kind, name=name, name_en=name_en, official=True)
        for date, kind, (name, name_en) in DAYS if date not in taken
    ])


def backwards(apps, schema_editor):
    CalendarDay = apps.get_model("attendance", "CalendarDay")
    CalendarDay.objects.filter(site__isnull=True, official=True, date__in=[d for d, _k, _n in DAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0002_rosters_requirement"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

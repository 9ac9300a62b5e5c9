"""The leave types a company in mainland China starts with, their national entitlements and the
provincial ones we verified (Beijing, Shanghai and Guangdong population and family-planning
regulations as amended in 2021). HR edits all of it under /leave/types/; days are totals for a case
(a province row replaces the national one).

Sources: 职工带薪年休假条例 art. 3 (annual leave tiers); 女职工劳动保护特别规定 art. 7 (98 days of
maternity leave); 北京市人口与计划生育条例 (2021): marriage +7 days, maternity +60 days, the
spouse 15 days, parental leave 5 working days a year until the child is 3; 上海市人口与计划生育条例
(2021): marriage +7 days, maternity +60 days, the spouse 10 days, parental leave 5 days a year until
the child is 3; 广东省人口与计划生育条例 art. 30: maternity +80 days. Marriage and bereavement leave
of 1 to 3 days go back to the 1980 circular of the State General Labour Bureau; we ship 3.
"""

from decimal import Decimal

from django.db import migrations

TYPES = [
    # code, name, name_en, category, counting, unit, paid, tracks_balance, carry max, expires month
    ("annual", "年休假", "Annual leave", "annual", "workdays", "half_day", True, True, "5", 3),
    ("sick", "病假", "Sick leave", "sick", "workdays", "half_day", True, False, "0", 3),
    ("marriage", "婚假", "Marriage leave", "marriage", "calendar", "day", True, False, "0", 3),
    ("maternity", "产假", "Maternity leave", "maternity", "calendar", "day", True, False, "0", 3),
    ("paternity", "陪产假", "Paternity leave", "paternity", "calendar", "day", True, False, "0", 3),
    ("parental", "育儿假", "Parental leave", "parental", "workdays", "day", True, False, "0", 3),
    ("bereavement", "丧假", "Bereavement leave", "bereavement", "calendar", "day", True, False, "0", 3),
    ("personal", "事假", "Personal leave", "personal", "workdays", "half_day", False, False, "0", 3),
    ("in_lieu", "调休", "Time off in lieu", "in_lieu", "workdays", "hour", True, True, "99", 6),
]

TIERS = [(1, "5"), (10, "10"), (20, "15")]

ENTITLEMENTS = [
    # code, province, days, note, note_en
    ("marriage", "", "3", "国家规定 1–3 天", "National: 1 to 3 days"),
    ("marriage", "北京", "10", "3 天 + 北京延长 7 天", "3 days + 7 in Beijing"),
    ("marriage", "上海", "10", "3 天 + 上海延长 7 天", "3 days + 7 in Shanghai"),
    ("maternity", "", "98", "女职工劳动保护特别规定第七条", "Special Provisions on female employees, art. 7"),
    ("maternity", "北京", "158", "98 天 + 北京延长 60 天", "98 days + 60 in Beijing"),
    ("maternity", "上海", "158", "98 天 + 上海延长 60 天", "98 days + 60 in Shanghai"),
    ("maternity", "广东", "178", "98 天 + 广东延长 80 天", "98 days + 80 in Guangdong"),
    ("paternity", "北京", "15", "北京市人口与计划生育条例", "Beijing regulations"),
    ("paternity", "上海", "10", "上海市人口与计划生育条例", "Shanghai regulations"),
    ("parental", "北京", "5", "子女满 3 周岁前每年 5 个工作日", "5 working days a year until the child is 3"),
    ("parental", "上海", "5", "子女满 3 周岁前每年 5 天", "5 days a year until the child is 3"),
    ("bereavement", "", "3", "国家规定 1–3 天", "National: 1 to 3 days"),
]


def add_defaults(apps, schema_editor):
    LeaveType = apps.get_model("leave", "LeaveType")
    AnnualLeaveTier = apps.get_model("leave", "AnnualLeaveTier")
    LeaveEntitlement = apps.get_model("leave", "LeaveEntitlement")
    by_code = {}
    for code, name, name_en, category, counting, unit, paid, tracks, carry, expires in TYPES:
        by_code[code], _ = LeaveType.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "category": category, "counting": counting, "unit": unit,
            "paid": paid, "tracks_balance": tracks, "carry_over_max_days": Decimal(carry),
            "carry_over_expires_month": expires})
    for min_years, days in TIERS:
        AnnualLeaveTier.objects.get_or_create(leave_type=by_code["annual"], min_years=min_years,
                                              defaults={"days": Decimal(days)})
    for code, province, days, note, note_en in ENTITLEMENTS:
        LeaveEntitlement.objects.get_or_create(leave_type=by_code[code], province=province,
                                               defaults={"days": Decimal(days), "note": note, "note_en": note_en})


class Migration(migrations.Migration):

    dependencies = [
        ("leave", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
    ]

"""Units of measure in the reader's language.

A metric's unit is free text that HR types once, usually in Chinese ("小时", "次"). The common ones
are known here under one English name with a translation context, so a reader sees "hours" in
English and "小时" in Chinese whichever language HR typed; an unknown unit is shown as typed.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

_KNOWN = (
    (("小时", "h", "hour", "hours", "hrs"), pgettext_lazy("unit of measure", "hours")),
    (("分钟", "min", "mins", "minute", "minutes"), pgettext_lazy("unit of measure", "minutes")),
    (("天", "d", "day", "days"), pgettext_lazy("unit of measure", "days")),
    (("次", "times"), pgettext_lazy("unit of measure", "times")),
    (("个", "items", "pcs"), pgettext_lazy("unit of measure", "items")),
    (("件", "units", "pieces"), pgettext_lazy("unit of measure", "pieces")),
    (("条", "entries"), pgettext_lazy("unit of measure", "entries")),
    (("人", "people", "persons"), pgettext_lazy("unit of measure", "people")),
    (("行", "lines"), pgettext_lazy("unit of measure", "lines")),
    (("分", "pts", "points"), pgettext_lazy("unit of measure", "points")),
    (("点",), pgettext_lazy("unit of measure: index points", "index points")),
    (("分 (1–5)", "分(1-5)", "分 (1-5)", "points (1–5)"), pgettext_lazy("unit of measure", "points (1–5)")),
    (("个/千行", "per kloc", "per 1,000 lines"), pgettext_lazy("unit of measure", "per 1,000 lines")),
    (("万元", "10k cny"), pgettext_lazy("unit of measure", "×10,000 CNY")),
    (("元", "cny", "yuan"), pgettext_lazy("unit of measure", "CNY")),
)
_BY_NAME = {name.casefold(): label for names, label in _KNOWN for name in names}


def unit_label(unit: str | None) -> str:
    """The unit in the active language; symbols such as "%" and unknown units are left as typed."""
    if not unit:
        return ""
    label = _BY_NAME.get(unit.strip().casefold())
    return str(label) if label is not None else unit

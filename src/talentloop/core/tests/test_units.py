from django.template import Context, Template
from django.utils import translation

from talentloop.core.units import unit_label


def test_a_chinese_unit_reads_in_english_for_an_english_reader():
    with translation.override("en"):
        assert unit_label("小时") == "hours"
        assert unit_label("次") == "times"
        assert unit_label("%") == "%"
        assert unit_label("furlongs") == "furlongs"  # unknown units are shown as typed
        assert unit_label("") == ""


def test_an_english_unit_reads_in_chinese_for_a_chinese_reader():
    with translation.override("zh-hans"):
        assert unit_label("hours") == "小时"
        assert unit_label("小时") == "小时"


def test_the_template_filter():
    with translation.override("en"):
        out = Template("{% load talentloop %}{{ u|unit }}").render(Context({"u": "分钟"}))
    assert out == "minutes"


def test_relative_times_read_as_time_ago():
    import datetime as dt

    import time_machine
    from django.utils import timezone

    moment = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)
    tpl = Template("{% load talentloop %}{{ t|ago }}")
    with time_machine.travel(moment + dt.timedelta(seconds=20), tick=False), translation.override("zh-hans"):
        assert tpl.render(Context({"t": moment})) == "刚刚"
    with time_machine.travel(moment + dt.timedelta(minutes=2, seconds=5), tick=False):
        assert timezone.now() > moment
        with translation.override("zh-hans"):
            assert tpl.render(Context({"t": moment})).replace("\xa0", " ") == "2 分钟前"
        with translation.override("en"):
            assert tpl.render(Context({"t": moment})).replace("\xa0", " ") == "2 minutes ago"

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

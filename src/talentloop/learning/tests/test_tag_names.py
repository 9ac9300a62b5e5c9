from django.template import Context, Template
from django.utils import translation

from talentloop.learning.tags import tag_label


def test_known_tags_are_named_in_the_readers_language():
    with translation.override("en"):
        assert tag_label("code-review") == "Code review"
    with translation.override("zh-hans"):
        assert tag_label("code-review") == "代码评审"
        assert tag_label("python") == "Python"


def test_an_unknown_tag_reads_as_words():
    with translation.override("zh-hans"):
        assert tag_label("machine-learning") == "Machine learning"


def test_the_template_filter():
    with translation.override("zh-hans"):
        out = Template("{% load learning %}#{{ t|tag_label }}").render(Context({"t": "teamwork"}))
    assert out == "#团队协作"

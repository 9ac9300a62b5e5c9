"""The one rule for texts kept in two languages: the English twin for an English reader when it is
filled, else the original — for models, for stored notification data, and for every twin column."""

from django.apps import apps
from django.db import models
from django.utils import translation

from talentloop.core.bilingual import Bilingual, bilingual, localized
from talentloop.learning.models import ContentItem
from talentloop.onboarding.models import ChecklistStep
from talentloop.organisation.models import Employee, OrgUnit


def test_label_reads_the_twin_only_for_an_english_reader_and_only_when_filled():
    unit = OrgUnit(name="研发部", name_en="R&D")
    with translation.override("en"):
        assert unit.label == "R&D"
        assert OrgUnit(name="研发部", name_en="").label == "研发部"
    with translation.override("zh-hans"):
        assert unit.label == "研发部"


def test_models_name_their_label_field():
    with translation.override("en"):
        assert ChecklistStep(title="签合同", title_en="Sign the contract").label == "Sign the contract"
        item = ContentItem(title="代码评审", title_en="Code review", summary="摘要", summary_en="")
        assert (item.label, item.summary_label) == ("Code review", "摘要")
        assert Employee(name="王小明", name_en="Wang Xiaoming").display_name == "Wang Xiaoming"


def test_stored_data_keeps_its_values():
    data = {"person": "王小明", "person_en": "Wang Xiaoming", "change": None}
    with translation.override("en"):
        assert localized(data, "person") == "Wang Xiaoming"
        assert localized(data, "change") is None
        assert localized(data, "missing") is None
    with translation.override("zh-hans"):
        assert localized(data, "person") == "王小明"


def test_the_factory_builds_the_twin_like_the_original():
    name, name_en = bilingual("name", "English name", max_length=120)
    assert (type(name_en), name_en.max_length, name_en.blank, name.blank) == (models.CharField, 120, True, False)
    summary, summary_en = bilingual("summary", "English summary", max_length=2000, text=True, blank=True)
    assert (type(summary_en), summary.blank) == (models.TextField, True)


def test_every_twin_column_is_optional_and_as_long_as_its_original():
    """A twin (``x_en`` beside ``x``) that is required or shorter than its original would make the
    English side a second set of rules; the models that have one read it through ``Bilingual``."""
    twins = 0
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        for field in model._meta.get_fields():
            if field.name.endswith("_en") and field.name[:-3] in names and isinstance(field, models.Field):
                original = model._meta.get_field(field.name[:-3])
                assert field.blank and field.max_length == original.max_length, f"{model.__name__}.{field.name}"
                assert type(field) is type(original), f"{model.__name__}.{field.name}"
                assert issubclass(model, Bilingual), model.__name__
                twins += 1
    assert twins >= 15

"""Simplified Chinese formats: Django's, with amounts grouped by thousands (12,345.67) as Chinese
payslips, bank files and finance reports write money. Only numbers a template asks to group
(``floatformat:"2g"``, ``number_format(force_grouping=True)``) are grouped."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 - every other format stays Django's

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

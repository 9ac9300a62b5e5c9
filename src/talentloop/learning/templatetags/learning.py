from django import template

from talentloop.learning.tags import tag_label as _tag_label

register = template.Library()


@register.filter
def tag_label(tag: str) -> str:
    """A content tag's name in the reader's language (``{{ t|tag_label }}``)."""
    return _tag_label(tag)

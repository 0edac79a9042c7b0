"""
Template filters of the report's sentences, built into the report's template engine
(`reports.compose.ENGINE`), so staff wording and the areas' default sentences use them without {% load %}:

    举行了{{ fairs|count_word }}场招聘会   → 举行了两场招聘会
"""

from django import template

from bureau.reporting.numbers import count_word as _count_word

register = template.Library()


@register.filter
def count_word(value):
    return _count_word(value)

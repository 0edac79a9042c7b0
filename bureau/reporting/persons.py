"""
The persons behind a headcount: the drill-down's queryset and the count itself. Imported as
`bureau.reporting.persons` (it queries the models, like `registry`).

A headcount is counted on the records' own person column (`COUNT(DISTINCT person_id)`), never as
`persons_of(records).count()`: that reads the registry for the persons of the records, and on
PostgreSQL a registry of a city's size is read whole (a hash join over every person) to count a
few thousand of them.
"""

from django.db.models import Count, OuterRef, Subquery

from bureau.models import Person


def persons_of(records, field: str = "person"):
    """The distinct persons of the records (a Person queryset, for the drill-down of a count of persons)."""
    return Person.objects.filter(pk__in=records.values(field))


def person_count(records, field: str = "person", *, among=None) -> int:
    """
    How many distinct persons the records name: `persons_of(records, field).count()`, on the records'
    column. `among` (a Person queryset) keeps only the persons it holds: `persons_of(records,
    field).filter(<among's conditions>).count()`. Each record's person is looked up by its primary key
    (a correlated subquery, which the database cannot turn into a join over the whole registry), so
    the cost follows the records, not the registry.
    """
    records = records.order_by()
    if among is not None:
        match = among.order_by().filter(pk=OuterRef(field)).values("pk")[:1]
        records = records.annotate(counted_person=Subquery(match)).filter(counted_person__isnull=False)
    return records.aggregate(n=Count(field, distinct=True))["n"]

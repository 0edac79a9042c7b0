"""
The import engine at district scale: lookups read once per import, rows written in
batches, an unchanged row writes nothing, a changed row only what changed (with one
history row), and a station's change of an approved record is proposed, not written.
"""

import math
import re

import pytest
from django.db import connection
from django.db.models import AutoField
from django.test.utils import CaptureQueriesContext

from bureau.importexport import PortalXLSX
from bureau.importexport.records import PersonResource
from bureau.models import AuditEvent, PendingChange, Person, ReviewStatus
from tests.bureau.test_import_export import person_row, xlsx_file


def import_rows(user, rows, **kwargs):
    return PersonResource(user=user).import_data(PortalXLSX().create_dataset(xlsx_file(rows)), **kwargs)


def totals(result):
    return {kind: count for kind, count in result.totals.items() if count}


def stored_people():
    return list(Person.objects.order_by("pk").values_list("pk", "version", "updated_at", "reviewed_at", "address"))


def test_an_unchanged_file_imported_again_writes_nothing_and_records_nothing(bureau_user, township_a):
    rows = [person_row(n, township_a) for n in range(1, 31)]
    first = import_rows(bureau_user, rows)
    assert first.row_messages == []
    assert totals(first) == {"new": 30}
    before = stored_people()
    history, events = Person.history.count(), AuditEvent.objects.count()

    with CaptureQueriesContext(connection) as queries:
        again = import_rows(bureau_user, rows)

    assert again.row_messages == []
    assert totals(again) == {"skip": 30}
    assert stored_people() == before
    assert {version for _, version, *_ in before} == {1}
    assert (Person.history.count(), AuditEvent.objects.count()) == (history, events)
    assert history == 30
    writes = [query["sql"] for query in queries if re.search(r"\b(INSERT|UPDATE|DELETE)\b", query["sql"])]
    assert writes == []


def test_a_file_changing_one_cell_updates_that_field_only_with_one_history_row(bureau_user, township_a):
    rows = [person_row(n, township_a) for n in range(1, 31)]
    import_rows(bureau_user, rows)
    before = {pk: (version, updated_at) for pk, version, updated_at, *_ in stored_people()}
    changed_number = rows[11]["身份证号"]
    rows[11] = {**rows[11], "住址": "幸福路一百号"}

    with CaptureQueriesContext(connection) as queries:
        result = import_rows(bureau_user, rows)

    assert result.row_messages == []
    assert totals(result) == {"update": 1, "skip": 29}
    changed = Person.objects.get(id_number=changed_number)
    assert (changed.address, changed.version, changed.name, changed.phone) == (
        "幸福路一百号",
        2,
        "导入人员12",
        "13900000012",
    )
    assert changed.updated_at > before[changed.pk][1]
    unchanged = {pk: (version, updated_at) for pk, version, updated_at, *_ in stored_people() if pk != changed.pk}
    assert unchanged == {pk: value for pk, value in before.items() if pk != changed.pk}
    # One UPDATE, setting the address and what every save of an approved record sets (re-approval, version).
    # One statement run for the changed rows (logged as "1 times: UPDATE …").
    updates = [query["sql"] for query in queries if 'UPDATE "bureau_person"' in query["sql"]]
    assert len(updates) == 1
    assert set(re.findall(r'"(\w+)" = %s', updates[0].split(" WHERE ")[0])) == {
        "address",
        "reviewed_at",
        "updated_at",
        "version",
    }
    assert Person.history.count() == 31
    latest = changed.history.order_by("-history_id")
    assert [entry.history_type for entry in latest] == ["~", "+"]
    delta = latest[0].diff_against(latest[1])
    # The editable fields the history compares: the address alone.
    assert delta.changed_fields == ["address"]
    assert (latest[0].address, latest[0].version, latest[1].address) == ("幸福路一百号", 2, "幸福路12号")
    assert latest[0].history_user == bureau_user
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.UPDATE).count() == 1


def inserts(model, rows: int, *, returning: bool = False) -> int:
    """
    INSERT statements of `rows` new records (bureau.base.bulk): on SQLite one `executemany` when no
    key is read back, else as many as its 999 parameters a statement need; 1,000 rows a
    statement on PostgreSQL.
    """
    if connection.vendor != "sqlite":
        return math.ceil(rows / 1000)
    if not returning:
        return 1
    fields = [field for field in model._meta.concrete_fields if not isinstance(field, AutoField)]
    return math.ceil(rows / (connection.features.max_query_params // len(fields)))


def statements_of_a_batch(rows: int) -> int:
    """
    What a batch of new people costs: their INSERTs (their keys read back), their history rows',
    their audit events'; two savepoints (set and released); the two reads of the loader's lookup
    by ID number.
    """
    return inserts(Person, rows, returning=True) + inserts(Person.history.model, rows) + inserts(AuditEvent, rows) + 6


def queries_of_import(user, rows) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = import_rows(user, rows)
    assert result.row_messages == []
    return len(queries)


@pytest.mark.slow  # imports files of two sizes to compare their queries (~3 s of CPU)
def test_the_queries_of_an_import_grow_with_its_batches_not_its_rows(bureau_user, township_a):
    queries_of_import(bureau_user, [person_row(9999, township_a)])  # caches filled: the user's permissions
    small = queries_of_import(bureau_user, [person_row(n, township_a) for n in range(1, 201)])
    three_batches = queries_of_import(bureau_user, [person_row(n, township_a) for n in range(1001, 2501)])
    four_batches = queries_of_import(bureau_user, [person_row(n, township_a) for n in range(3001, 5001)])

    assert Person.objects.count() == 3701
    # A batch is 500 rows: a fourth batch costs what one batch costs, whatever it holds.
    assert four_batches - three_batches == statements_of_a_batch(500)
    # 2,000 rows against 200: the three further batches, and the rows that fill up the first.
    assert four_batches - small <= 4 * statements_of_a_batch(500)
    if connection.vendor == "sqlite":
        # 999 parameters a statement: 14 INSERTs of people a batch (26 columns), one run each of history rows and audit events.
        assert statements_of_a_batch(500) == 22
        # One read of the saved column mappings per import (bureau.importexport.columns), whatever its size.
        assert (small, four_batches) == (22, 98)


@pytest.mark.slow  # imports files of two sizes to compare their queries (~2.5 s of CPU)
def test_the_queries_of_updating_rows_grow_with_batches_not_rows(bureau_user, township_a):
    rows = [person_row(n, township_a) for n in range(1, 1001)]
    import_rows(bureau_user, rows)
    one_batch = queries_of_import(bureau_user, [{**row, "住址": "新址"} for row in rows[:500]])
    two_batches = queries_of_import(bureau_user, [{**row, "住址": "新址二"} for row in rows])

    assert Person.objects.filter(address="新址二", version=3).count() == 500
    assert Person.objects.filter(address="新址二", version=2).count() == 500
    # A batch of changed rows: one UPDATE run for the rows changing the same fields (executemany), their
    # history rows and audit events, two savepoints, the loader's two reads and the read (locking on
    # PostgreSQL) of the versions it claims.
    batch = 1 + inserts(Person.history.model, 500) + inserts(AuditEvent, 500) + 4 + 2 + 1
    assert two_batches - one_batch == batch
    if connection.vendor == "sqlite":
        assert (batch, one_batch) == (10, 20)  # one read of the saved column mappings per import


def test_a_stations_import_changing_an_approved_record_proposes_the_change(station_user_a, bureau_user, township_a):
    rows = [person_row(n, township_a) for n in range(1, 4)]
    import_rows(bureau_user, rows)
    approved = Person.objects.get(id_number=rows[1]["身份证号"])
    assert approved.review_status == ReviewStatus.APPROVED
    history = Person.history.count()
    rows[1] = {**rows[1], "联系电话": "13911112222"}

    result = import_rows(station_user_a, rows)

    assert result.row_messages == []
    assert totals(result) == {"update": 1, "skip": 2}
    change = PendingChange.objects.get()
    assert change.changes == {"phone": {"old": "13900000002", "new": "13911112222"}}
    assert (change.proposed_by, change.base_version, change.object_id) == (station_user_a, 1, approved.pk)
    approved.refresh_from_db()
    assert (approved.phone, approved.version, approved.review_status) == ("13900000002", 1, ReviewStatus.APPROVED)
    assert Person.history.count() == history


def test_a_dry_run_writes_nothing_and_reports_the_figures(bureau_user, township_a):
    rows = [person_row(n, township_a) for n in range(1, 6)]
    import_rows(bureau_user, rows[:2])
    rows[0] = {**rows[0], "备注": "改"}

    with CaptureQueriesContext(connection) as queries:
        result = import_rows(bureau_user, rows, dry_run=True)

    assert totals(result) == {"new": 3, "update": 1, "skip": 1}
    assert [query["sql"] for query in queries if re.search(r"\b(INSERT|UPDATE)\b", query["sql"])] == []
    assert Person.objects.count() == 2


def test_a_key_repeated_in_the_file_with_other_values_is_refused(bureau_user, township_a):
    rows = [person_row(1, township_a), person_row(2, township_a), person_row(1, township_a, {"住址": "别处"})]

    result = import_rows(bureau_user, rows)

    assert result.row_messages == ["第 4 行：与第 2 行的身份证号相同，内容却不同：同一条记录在文件中只能出现一次。"]
    assert Person.objects.count() == 0

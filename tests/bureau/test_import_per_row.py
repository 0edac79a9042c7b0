"""
An import's validation does per row only the row's work (bureau.importexport.cleaners): each
column's reader, the masks, the key's uniqueness rule and the model's fields are read once per
import, not once a row; no query a row; a new record is made as `model()` makes it.
"""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureau.importexport import cleaners, keys, resources
from bureau.importexport.formats import PortalXLSX
from bureau.importexport.records import PersonResource
from tests.bureau.test_import_export import person_row, xlsx_file


@pytest.fixture
def counted(monkeypatch):
    """Calls of the per-column and per-model lookups (the real functions, counted)."""
    counts = {"mask_for": 0, "column_reader": 0, "uniqueness_is_key": 0, "proposable_fields": 0}
    mask_for, column_reader = resources.mask_for, resources.column_reader
    uniqueness_is_key, proposable_fields = keys.ImportKeyMixin.uniqueness_is_key, keys.proposable_fields

    def counting(name, function):
        def call(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(resources, "mask_for", counting("mask_for", mask_for))
    monkeypatch.setattr(resources, "column_reader", counting("column_reader", column_reader))
    monkeypatch.setattr(keys.ImportKeyMixin, "uniqueness_is_key", counting("uniqueness_is_key", uniqueness_is_key))
    monkeypatch.setattr(keys, "proposable_fields", counting("proposable_fields", proposable_fields))
    return counts


def validate(user, rows) -> tuple[int, object]:
    """A validation (dry run) of the rows: its query count and result."""
    dataset = PortalXLSX().create_dataset(xlsx_file(rows))
    resource = PersonResource(user=user)
    with CaptureQueriesContext(connection) as queries:
        result = resource.import_data(dataset, dry_run=True)
    return len(queries), result


def test_the_validation_does_the_same_per_column_work_and_queries_for_10_and_40_rows(counted, bureau_user, township_a):
    validate(bureau_user, [person_row(0, township_a)])  # what a process reads once (cached lookups)
    for name in counted:
        counted[name] = 0
    ten_queries, ten = validate(bureau_user, [person_row(n, township_a) for n in range(1, 11)])
    ten_counts = dict(counted)
    for name in counted:
        counted[name] = 0
    forty_queries, forty = validate(bureau_user, [person_row(n, township_a) for n in range(1, 41)])

    assert (ten.totals["new"], forty.totals["new"]) == (10, 40)
    assert not ten.has_validation_errors() and not forty.has_validation_errors()
    assert ten_queries == forty_queries
    # Once a column and once an import, whatever the rows: 13 columns read (出生日期 is shown, not
    # read), the two sensitive ones (身份证号 says masked itself; 联系电话) asked for their mask once.
    assert counted == ten_counts
    assert counted["column_reader"] == len(PersonResource().get_import_fields()) == 14
    assert counted["uniqueness_is_key"] == 1
    assert counted["proposable_fields"] == 1


def test_errors_of_the_readers_name_the_row_and_column_as_before(bureau_user, township_a):
    rows = [
        person_row(1, township_a, {"性别": "未知", "入伍日期": "去年"}),
        person_row(2, township_a, {"联系电话": "139****0002"}),
        person_row(3, township_a, {"乡镇（街道）": "不存在镇"}),
    ]
    _, result = validate(bureau_user, rows)
    assert result.row_messages == [
        "第 2 行：性别，“未知”不是有效的选项，应填写：男、女。",
        "第 2 行：入伍日期，日期“去年”无法识别，请填写如 2021-03-01 的日期。",
        "第 3 行：联系电话，该值是导出时遮蔽的值（含 *），不能用于导入；请填写完整的值，或删除该列后再导入。",
        "第 4 行：乡镇（街道）“不存在镇”不存在。",
    ]


def test_a_new_record_is_made_as_the_model_makes_it():
    for model in apps.get_models():
        made, plain = cleaners.instance_maker(model)(), model()
        assert type(made) is model and made._state.adding and made._state.db is None
        assert made._state is not plain._state
        called = {field.attname for field in model._meta.concrete_fields if callable(field.default)}
        shown = {name: value for name, value in vars(made).items() if name != "_state" and name not in called}
        assert shown == {name: value for name, value in vars(plain).items() if name != "_state" and name not in called}
        assert set(vars(made)) == set(vars(plain))

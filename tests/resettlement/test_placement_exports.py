"""The result list of a placement batch in Word and Excel: the rows in rank order, no ID number, each export logged."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from bureau.models import ExportLog, Merit
from resettlement import selection
from resettlement.models import PlacementCandidate
from resettlement.placement_exports import result_docx, result_xlsx
from tests.factories import MeritFactory, UserFactory
from tests.resettlement.factories import (
    NcoFactory,
    PlacementBatchFactory,
    PlacementCandidateFactory,
    PlacementPositionFactory,
    ScoreAdjustmentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def host(bureau_user):
    bureau_user.user_permissions.add(Permission.objects.get(codename="run_placement_session"))
    return type(bureau_user).objects.get(pk=bureau_user.pk)


@pytest.fixture
def held(host, township_a):
    """
    Three candidates: 王强 (15 years, a third-class merit: 20), 李军 (16 years: 16), 赵勇 (14 years, trained
    excellent, +1 adjusted: 18). 王强 chose first, 赵勇 second; 李军's turn was closed without a choice.
    """
    batch = PlacementBatchFactory(
        year=2021, title="退役士兵安排工作公开选岗", session_on=datetime.date(2021, 11, 20), venue="区退役军人服务中心"
    )
    court = PlacementPositionFactory(batch=batch, department="区委政法委", institution="区社会治安综合治理中心")
    land = PlacementPositionFactory(
        batch=batch, department="区自然资源局", institution="区不动产登记中心", title="技术岗"
    )
    wang_person = NcoFactory(name="王强", township=township_a, years=15)
    MeritFactory(person=wang_person, level=Merit.Level.THIRD_CLASS, year=2016)
    wang = PlacementCandidateFactory(batch=batch, person=wang_person)
    PlacementCandidateFactory(batch=batch, person=NcoFactory(name="李军", township=township_a, years=16))
    zhao = PlacementCandidateFactory(
        batch=batch,
        person=NcoFactory(name="赵勇", township=township_a, years=14),
        training=PlacementCandidate.Training.EXCELLENT,
    )
    ScoreAdjustmentFactory(candidate=zhao, points=Decimal("1"), reason="补报培训成绩")
    selection.start_session(batch=batch, by=host)
    selection.confirm(batch=batch, candidate_id=wang.pk, position_id=court.pk, by=host, signed=True)
    selection.confirm(batch=batch, candidate_id=zhao.pk, position_id=land.pk, by=host, signed=True)
    selection.close_session(batch=batch, by=host)
    batch.refresh_from_db()
    return batch


def chosen_at(batch, name: str) -> str:
    candidate = batch.candidates.get(person__name=name)
    return timezone.localtime(candidate.selection.chosen_at).strftime("%Y-%m-%d %H:%M")


def test_the_word_list_has_the_batch_rules_and_one_row_per_candidate(held, host):
    content, filename = result_docx(held, by=host)
    word = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in word.paragraphs)
    [table] = word.tables

    assert filename == f"公开选岗结果-2021-{held.pk}.docx"
    assert "2021年退役士兵安排工作公开选岗" in text
    assert "公开选岗结果名单" in text
    assert "选岗日期：2021年11月20日　　选岗地点：区退役军人服务中心" in text
    assert f"量化评分办法：{held.rule.name}，2021年05月01日公布。" in text
    assert selection.TIE_RULE in text
    assert "候选人共 3 名，已选岗 2 名。" in text
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["排名", "姓名", "总分", "主管部门", "事业单位", "岗位", "确认时间", "签字"],
        ["1", "王强", "20.00", "区委政法委", "区社会治安综合治理中心", "综合管理岗", chosen_at(held, "王强"), "已签字"],
        ["2", "赵勇", "18.00", "区自然资源局", "区不动产登记中心", "技术岗", chosen_at(held, "赵勇"), "已签字"],
        ["3", "李军", "16.00", "", "", "未选岗", "", ""],
    ]


def test_the_excel_list_adds_every_score_component(held, host):
    content, filename = result_xlsx(held, by=host)
    workbook = load_workbook(io.BytesIO(content))
    rows = [list(row) for row in workbook["选岗结果"].iter_rows(values_only=True)]

    assert filename == f"公开选岗结果-2021-{held.pk}.xlsx"
    assert rows == [
        [
            "排名",
            "姓名",
            "总分",
            "服役年限",
            "艰苦边远地区服役",
            "一等功",
            "二等功",
            "三等功",
            "优秀士官等荣誉",
            "培训考核",
            "评分调整",
            "主管部门",
            "事业单位",
            "岗位",
            "确认时间",
            "签字",
        ],
        [
            1,
            "王强",
            20,
            15,
            0,
            0,
            0,
            5,
            0,
            0,
            0,
            "区委政法委",
            "区社会治安综合治理中心",
            "综合管理岗",
            chosen_at(held, "王强"),
            "已签字",
        ],
        [
            2,
            "赵勇",
            18,
            14,
            0,
            0,
            0,
            0,
            0,
            3,
            1,
            "区自然资源局",
            "区不动产登记中心",
            "技术岗",
            chosen_at(held, "赵勇"),
            "已签字",
        ],
        [3, "李军", 16, 16, 0, 0, 0, 0, 0, 0, 0, None, None, "未选岗", None, None],
    ]
    assert workbook["选岗结果"].freeze_panes == "A2"
    about = [row[0] for row in workbook["说明"].iter_rows(values_only=True)]
    assert about[0] == "2021年退役士兵安排工作公开选岗"
    assert "排名规则：按量化评分总分从高到低排名。" + selection.TIE_RULE in about


def test_no_id_number_in_either_file(held, host):
    numbers = [c.person.id_number for c in held.candidates.select_related("person")]
    docx, _ = result_docx(held, by=host)
    xlsx, _ = result_xlsx(held, by=host)
    word = Document(io.BytesIO(docx))
    text = "\n".join(cell.text for row in word.tables[0].rows for cell in row.cells)
    cells = [str(v) for row in load_workbook(io.BytesIO(xlsx))["选岗结果"].iter_rows(values_only=True) for v in row]

    assert not any(number in text or number in cells for number in numbers)


def test_each_export_is_logged(held, host):
    result_docx(held, by=host)
    result_xlsx(held, by=host)

    assert list(
        ExportLog.objects.order_by("id").values_list("user", "kind", "file_format", "row_count", "unmasked")
    ) == [
        (host.pk, "公开选岗结果名单", "docx", 3, False),
        (host.pk, "公开选岗结果名单", "xlsx", 3, False),
    ]


def test_a_prepared_batch_gives_the_provisional_ranking(host):
    batch = PlacementBatchFactory(year=2022)
    PlacementCandidateFactory(batch=batch, person=NcoFactory(name="周平", years=12))
    content, _ = result_docx(batch, by=host)
    word = Document(io.BytesIO(content))

    assert "（公开选岗尚未开始，以下为按当前评分的预排名。）" in [p.text for p in word.paragraphs]
    assert [cell.text for cell in word.tables[0].rows[1].cells] == ["1", "周平", "12.00", "", "", "等待选岗", "", ""]


def test_a_user_who_may_not_view_batches_gets_no_file(held, station_user_a):
    with pytest.raises(PermissionDenied):
        result_docx(held, by=station_user_a)
    with pytest.raises(PermissionDenied):
        result_xlsx(held, by=UserFactory())
    assert not ExportLog.objects.exists()

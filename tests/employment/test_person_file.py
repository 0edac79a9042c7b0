"""The person file in the admin shows the person's fairs, trainings, intentions, jobs and enterprises."""

import datetime
import re

from employment.models import EmploymentOutcome
from tests.employment.factories import (
    EmploymentIntentionFactory,
    EmploymentOutcomeFactory,
    EnterpriseFactory,
    FairAttendanceFactory,
    JobFairFactory,
    RoleModelFactory,
    TraineeFactory,
    TrainingClassFactory,
    VeteranFactory,
)

FULL_ID = re.compile(r"\d{17}[\dX]")


def file_page(client, person) -> str:
    response = client.get(f"/admin/bureau/person/{person.pk}/file/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_person_file_shows_fairs_training_and_employment(client_for, bureau_user, township_a):
    person = VeteranFactory(name="赵退伍", township=township_a)
    fair = JobFairFactory(title="2021年春季退役军人专场招聘会", start_date=datetime.date(2021, 2, 28))
    FairAttendanceFactory(fair=fair, person=person)
    employer = EnterpriseFactory(name="华宇科技有限公司", township=township_a)
    EmploymentIntentionFactory(person=person, enterprise=employer, fair=fair)
    TraineeFactory(
        training_class=TrainingClassFactory(
            title="2021年退役军人适应性培训班",
            start_date=datetime.date(2021, 11, 8),
            end_date=datetime.date(2021, 11, 10),
        ),
        person=person,
        days_attended=3,
    )
    EmploymentOutcomeFactory(
        person=person,
        enterprise=employer,
        started_on=datetime.date(2021, 3, 15),
        channel=EmploymentOutcome.Channel.JOB_FAIR,
    )
    EnterpriseFactory(name="赵氏汽车配件有限公司", sector="汽车配件", founder=person, veteran_founded=True)
    RoleModelFactory(person=person, year=2021, story="返乡创办汽车配件企业。")

    body = file_page(client_for(bureau_user), person)

    assert "<h2>就业创业</h2>" in body
    assert "2021-02-28" in body and "2021年春季退役军人专场招聘会" in body
    assert "2021年退役军人适应性培训班" in body and "2021-11-08 至 2021-11-10" in body
    assert "<td>2021-02-28</td><td>华宇科技有限公司</td><td>2021年春季退役军人专场招聘会</td>" in body
    assert "<td>2021-03-15</td><td>华宇科技有限公司</td><td>招聘会</td>" in body
    assert "赵氏汽车配件有限公司" in body
    assert "2021年 创业典型：返乡创办汽车配件企业。" in body


def test_a_person_without_employment_records_reads_so(client_for, bureau_user, person_a):
    body = file_page(client_for(bureau_user), person_a)

    assert "<h2>就业创业</h2>" in body
    assert "未参加招聘会。" in body
    assert "未参加适应性培训。" in body
    assert "无就业记录。" in body


def test_leadership_sees_the_section_without_full_identifiers(client_for, leader, township_a):
    person = VeteranFactory(name="钱退伍", township=township_a)
    FairAttendanceFactory(fair=JobFairFactory(title="秋季专场招聘会"), person=person)
    EnterpriseFactory(name="钱氏电子元件有限公司", founder=person, veteran_founded=True)

    body = file_page(client_for(leader), person)

    assert "秋季专场招聘会" in body and "钱氏电子元件有限公司" in body
    assert not FULL_ID.search(body)

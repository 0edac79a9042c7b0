"""The audit trail in the admin: every history table read-only, scoped, masked and in Chinese."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from bureau import roles
from bureau.admin.history import HistoryAdmin, history_models
from employment.models import JobFair, ParkTenancy, Trainee
from tests.employment.factories import (
    JobFairFactory,
    ParkTenancyFactory,
    StartupParkFactory,
    TraineeFactory,
    VeteranFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")
ENGLISH_LABELS = ("historical", "history date", "history type", "history user", " as of ")


def history_row(model, record):
    return model.history.model.objects.get(**{model._meta.pk.attname: record.pk, "history_type": "+"})


def admin_url(model, suffix=""):
    history = model.history.model._meta
    return f"/admin/{history.app_label}/{history.model_name}/{suffix}"


def assert_chinese_page(body):
    """No English label of simple-history in what the page shows (its URLs and CSS classes aside)."""
    text = re.sub(r"<[^>]*>", " ", body).lower()
    for label in ENGLISH_LABELS:
        assert label not in text, label


def test_the_auditor_reads_the_history_of_a_job_fair_in_chinese(client_for, auditor, bureau_user):
    fair = JobFairFactory(title="春风行动招聘会")
    client = client_for(auditor)

    listing = client.get(admin_url(JobFair))
    detail = client.get(admin_url(JobFair, f"{history_row(JobFair, fair).pk}/change/"))

    assert listing.status_code == 200
    body = listing.content.decode()
    for text in ("招聘会变更记录", "操作时间", "操作人", "操作类型", "记录", "新增", "春风行动招聘会"):
        assert text in body, text
    assert_chinese_page(body)
    assert detail.status_code == 200
    body = detail.content.decode()
    for text in (
        "招聘会变更记录",
        "操作时间",
        "操作类型",
        "变更后的记录",
        "名称",
        "春风行动招聘会（2021-02-28）（新增，",
    ):
        assert text in body, text
    assert_chinese_page(body)


def test_the_auditor_reads_the_history_of_a_park_tenancy(client_for, auditor):
    tenancy = ParkTenancyFactory(enterprise__name="红星机械有限公司")
    tenancy.moved_out_on = tenancy.moved_in_on.replace(year=2023)
    tenancy.save()
    client = client_for(auditor)

    listing = client.get(admin_url(ParkTenancy))
    changed = tenancy.history.get(history_type="~")
    detail = client.get(admin_url(ParkTenancy, f"{changed.pk}/change/"))

    assert listing.status_code == 200
    body = listing.content.decode()
    assert "入驻企业变更记录" in body
    assert body.count("红星机械有限公司（2021-03-01 入驻）") == 2
    assert "新增" in body and "修改" in body
    assert_chinese_page(body)
    assert detail.status_code == 200
    assert "迁出日期" in detail.content.decode()
    assert_chinese_page(detail.content.decode())


def test_the_auditor_reads_the_history_of_a_trainee_with_the_id_number_masked(client_for, auditor):
    trainee = TraineeFactory(person=VeteranFactory(name="王学员"))
    number = trainee.person.id_number
    masked = number[:4] + "**********" + number[-4:]
    client = client_for(auditor)

    listing = client.get(admin_url(Trainee)).content.decode()
    detail = client.get(admin_url(Trainee, f"{history_row(Trainee, trainee).pk}/change/")).content.decode()

    for body in (listing, detail):
        assert "学员变更记录" in body
        assert "王学员" in body
        assert "身份证号" in body
        assert masked in body
        assert not FULL_ID.search(body)
        assert_chinese_page(body)


def test_a_person_history_masks_the_id_number_and_phone_for_a_user_without_the_right(client_for, auditor, person_a):
    row = history_row(person_a.__class__, person_a)

    body = client_for(auditor).get(f"/admin/bureau/historicalperson/{row.pk}/change/").content.decode()

    assert "人员变更记录" in body
    assert not FULL_ID.search(body)
    assert person_a.id_number[:4] + "**********" + person_a.id_number[-4:] in body
    assert person_a.phone not in body
    assert person_a.phone[:3] + "****" + person_a.phone[-4:] in body


def test_bureau_staff_see_the_whole_id_number_on_one_history_page_only(client_for, bureau_user):
    trainee = TraineeFactory()
    number = trainee.person.id_number
    client = client_for(bureau_user)

    assert number not in client.get(admin_url(Trainee)).content.decode()
    assert number in client.get(admin_url(Trainee, f"{history_row(Trainee, trainee).pk}/change/")).content.decode()


def test_the_history_of_a_deleted_record_still_opens(client_for, auditor):
    trainee = TraineeFactory(person=VeteranFactory(name="王学员"))
    person, trainee_id = trainee.person, trainee.pk
    trainee.delete()
    person.delete()
    deleted = Trainee.history.get(history_type="-")
    client = client_for(auditor)

    listing = client.get(admin_url(Trainee))
    detail = client.get(admin_url(Trainee, f"{deleted.pk}/change/"))

    assert listing.status_code == 200
    assert "删除" in listing.content.decode()
    assert f"学员 #{trainee_id}" in listing.content.decode()
    assert detail.status_code == 200
    assert "删除前的记录" in detail.content.decode()


def test_chinese_labels_need_no_migration():
    # The labels are set at run time; the history tables' migrations keep simple-history's names.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_no_filter_on_a_sensitive_field(client_for, auditor, person_a):
    trainee = TraineeFactory(person=VeteranFactory(township=person_a.township))
    client = client_for(auditor)

    prefix = person_a.id_number[:6]
    assert client.get(f"/admin/bureau/historicalperson/?id_number__startswith={prefix}").status_code == 400
    assert client.get(f"/admin/bureau/historicalperson/?phone__startswith={person_a.phone[:5]}").status_code == 400
    number = trainee.person.id_number
    assert client.get(admin_url(Trainee, f"?person__id_number={number}")).status_code == 400
    assert client.get(admin_url(Trainee, "?history_type=%2B")).status_code == 200


@pytest.mark.slow  # opens the history page of every model with a history (~2 s of CPU)
def test_every_model_with_a_history_has_a_read_only_history_page(client_for, auditor):
    found = history_models({config.label for config in apps.get_app_configs()})
    client = client_for(auditor)

    assert {history._meta.label for history in found} >= {
        "bureau.HistoricalPerson",
        "bureau.HistoricalPayment",
        "employment.HistoricalJobFair",
        "employment.HistoricalParkTenancy",
        "employment.HistoricalFairParticipation",
        "employment.HistoricalEmploymentIntention",
        "employment.HistoricalTrainee",
    }
    for history in found:
        assert isinstance(admin.site._registry.get(history), HistoryAdmin), history
        assert str(history._meta.verbose_name_plural).endswith("变更记录"), history
        url = f"/admin/{history._meta.app_label}/{history._meta.model_name}/"
        response = client.get(url)
        assert response.status_code == 200, url
        assert_chinese_page(response.content.decode())


def test_history_pages_are_read_only_even_for_a_superuser(client_for, superuser):
    fair = JobFairFactory(title="原名称")
    row = history_row(JobFair, fair)
    client = client_for(superuser)

    assert client.get(admin_url(JobFair, "add/")).status_code == 403
    assert client.post(admin_url(JobFair, f"{row.pk}/change/"), {"title": "改过的"}).status_code == 403
    assert client.post(admin_url(JobFair, f"{row.pk}/delete/"), {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.title == "原名称"
    assert "保存" not in client.get(admin_url(JobFair, f"{row.pk}/change/")).content.decode()


def test_station_staff_get_no_history_page(client_for, station_user_a, township_a):
    fair = JobFairFactory(township=township_a)
    client = client_for(station_user_a)

    for url in (admin_url(JobFair), admin_url(JobFair, f"{history_row(JobFair, fair).pk}/change/")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")


def test_a_township_user_with_the_view_right_reads_only_their_townships_history(
    client_for, township_a, township_b, person_a, person_b
):
    user = UserFactory(username="township_reader", is_staff=True, township=township_a)
    user.user_permissions.add(Permission.objects.get(codename="view_historicalperson"))

    body = client_for(user).get("/admin/bureau/historicalperson/").content.decode()

    assert "张甲" in body
    assert "李乙" not in body


def test_a_child_rows_history_follows_its_parents_township(client_for, auditor, township_a, township_b):
    ParkTenancyFactory(park=StartupParkFactory(township=township_a), enterprise__name="红星机械有限公司")
    ParkTenancyFactory(park=StartupParkFactory(township=township_b), enterprise__name="蓝天电子有限公司")
    user = UserFactory(username="township_reader", is_staff=True, township=township_a)
    user.user_permissions.add(Permission.objects.get(codename="view_historicalparktenancy"))

    district = client_for(auditor).get(admin_url(ParkTenancy)).content.decode()
    assert "红星机械有限公司" in district
    assert "蓝天电子有限公司" in district
    own = client_for(user).get(admin_url(ParkTenancy)).content.decode()
    assert "红星机械有限公司" in own
    assert "蓝天电子有限公司" not in own


# --- the roles in the admin --------------------------------------------------------------------


def test_a_role_shows_its_permissions_read_only_with_a_note(client_for, superuser):
    auditor_role = Group.objects.get(name=roles.AUDITOR)
    before = set(auditor_role.permissions.values_list("pk", flat=True))
    client = client_for(superuser)

    page = client.get(f"/admin/auth/group/{auditor_role.pk}/change/")
    refused = client.post(f"/admin/auth/group/{auditor_role.pk}/change/", {"name": "审计员", "permissions": []})

    assert page.status_code == 200
    body = page.content.decode()
    assert "角色及其权限由系统代码定义（bureau/roles.py），每次升级迁移后自动同步，不能在此修改。" in body
    assert "就业创业 · 招聘会变更记录：查看" in body
    assert "人员与公共台账 · 导出记录：查看" in body
    assert "可查看全区所有乡镇的记录" in body  # a custom permission, by its own name
    assert "乡镇（街道）：查看" not in body
    assert 'name="permissions"' not in body
    assert refused.status_code == 403
    assert set(auditor_role.permissions.values_list("pk", flat=True)) == before


def test_a_role_cannot_be_deleted(client_for, superuser):
    role = Group.objects.get(name=roles.LEADERSHIP)
    client = client_for(superuser)

    assert client.post(f"/admin/auth/group/{role.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/auth/group/", {"action": "delete_selected", "_selected_action": [role.pk], "post": "yes"}
    )
    assert bulk.status_code == 403
    assert Group.objects.filter(name=roles.LEADERSHIP).exists()


def test_other_groups_are_edited_as_usual(client_for, superuser):
    group = Group.objects.create(name="临时工作组")
    permission = Permission.objects.get(codename="view_jobfair")
    client = client_for(superuser)

    response = client.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": "招聘会工作组", "permissions": [permission.pk]}
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "招聘会工作组"
    assert list(group.permissions.all()) == [permission]
    assert 'name="permissions"' in client.get(f"/admin/auth/group/{group.pk}/change/").content.decode()

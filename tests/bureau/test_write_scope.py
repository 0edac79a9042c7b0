"""
Write scope in one place (`bureau.rules.services.check_write_allowed`), and rights from
permissions rather than from the names of groups.
"""

import pytest
from django.contrib.auth.models import Permission

from bureau.models import Enterprise, ReviewStatus
from bureau.rules.services import ScopeError, check_write_allowed, record_save
from employment.models import FairParticipation, ParkTenancy
from tests.employment.factories import (
    EnterpriseFactory,
    FairParticipationFactory,
    JobFairFactory,
    ParkTenancyFactory,
    RoleModelFactory,
    StartupParkFactory,
    TraineeFactory,
)
from tests.factories import PaymentFactory, UserFactory

pytestmark = pytest.mark.django_db


def grant(user, codename: str):
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="bureau"))
    # has_perm caches permissions on the user object: read the user again.
    return type(user).objects.get(pk=user.pk)


# --- one rule, whatever the township lookup ----------------------------------------


def test_a_station_may_write_its_own_township_record_only(station_user_a, township_a, township_b):
    check_write_allowed(user=station_user_a, record=RoleModelFactory.build(township=township_a))
    with pytest.raises(ScopeError, match="只能登记或修改本乡镇（街道）的记录"):
        check_write_allowed(user=station_user_a, record=RoleModelFactory.build(township=township_b))


def test_the_rule_follows_a_lookup_through_the_person(station_user_a, person_a, person_b):
    check_write_allowed(user=station_user_a, record=TraineeFactory.build(person=person_a))
    with pytest.raises(ScopeError):
        check_write_allowed(user=station_user_a, record=TraineeFactory.build(person=person_b))
    with pytest.raises(ScopeError):
        check_write_allowed(user=station_user_a, record=PaymentFactory.build(person=person_b))


def test_a_child_row_may_be_written_by_whoever_may_write_its_parent(
    station_user_a, bureau_user, township_a, township_b
):
    own_park = StartupParkFactory(township=township_a)
    other_park = StartupParkFactory(township=township_b)
    district_fair = JobFairFactory(township=None)

    check_write_allowed(user=station_user_a, record=ParkTenancyFactory.build(park=own_park))
    with pytest.raises(ScopeError):
        check_write_allowed(user=station_user_a, record=ParkTenancyFactory.build(park=other_park))
    # A district-wide fair is visible to every station but written by the bureau only.
    with pytest.raises(ScopeError):
        check_write_allowed(user=station_user_a, record=FairParticipationFactory.build(fair=district_fair))
    check_write_allowed(user=bureau_user, record=FairParticipationFactory.build(fair=district_fair))


def test_child_rows_are_visible_with_their_parent(station_user_a, township_a, township_b):
    own = ParkTenancyFactory(park=StartupParkFactory(township=township_a))
    ParkTenancyFactory(park=StartupParkFactory(township=township_b))
    district = FairParticipationFactory(fair=JobFairFactory(township=None))
    FairParticipationFactory(fair=JobFairFactory(township=township_b))

    assert list(ParkTenancy.objects.visible_to(station_user_a)) == [own]
    assert list(FairParticipation.objects.visible_to(station_user_a)) == [district]


def test_a_record_with_no_township_is_the_bureaus_to_write(station_user_a, bureau_user):
    district_record = RoleModelFactory.build(township=None)
    with pytest.raises(ScopeError):
        check_write_allowed(user=station_user_a, record=district_record)
    check_write_allowed(user=bureau_user, record=district_record)


def test_the_admin_refuses_a_crafted_write_outside_the_scope(client_for, station_user_a, township_b):
    # Station staff never use the admin; a user with a township and change rights stands in for a crafted post.
    clerk = UserFactory(username="township_clerk", is_staff=True, township=township_b)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["change_enterprise", "view_enterprise"]))
    enterprise = EnterpriseFactory(township=township_b)
    other = EnterpriseFactory(township=station_user_a.township)
    response = client_for(clerk).post(
        f"/admin/bureau/enterprise/{enterprise.pk}/change/",
        {"name": "改名企业", "credit_code": enterprise.credit_code, "township": other.township_id},
    )
    # The choice list is the user's own township only, so the form refuses the other one.
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.township_id == township_b.pk


# --- rights from permissions ----------------------------------------------------------


def test_a_write_is_approved_on_save_by_the_review_permission_not_by_a_group_name(township_a, person_a):
    writer = grant(UserFactory(username="writer"), "view_all_townships")
    draft = RoleModelFactory.build(township=township_a, person=person_a, review_status=ReviewStatus.DRAFT)
    record = record_save(record=draft, by=writer)
    assert record.review_status == ReviewStatus.SUBMITTED

    writer = grant(writer, "review_records")
    record = record_save(record=record, by=writer)
    assert record.review_status == ReviewStatus.APPROVED


def test_roles_grant_the_rights(bureau_user, station_user_a, leader, auditor):
    assert bureau_user.has_perm("bureau.review_records")
    assert not station_user_a.has_perm("bureau.review_records")
    assert station_user_a.has_perm("bureau.use_station_portal")
    assert not bureau_user.has_perm("bureau.use_station_portal")
    assert not leader.has_perm("bureau.review_records")
    assert not auditor.has_perm("bureau.view_enterprise")


def test_enterprises_are_seen_with_the_view_permission(station_user_a, township_b):
    enterprise = EnterpriseFactory(township=township_b)
    assert list(Enterprise.objects.visible_to(station_user_a)) == [enterprise]
    roleless = UserFactory(username="roleless", township=township_b)
    assert not Enterprise.objects.visible_to(roleless).exists()
    assert list(Enterprise.objects.visible_to(grant(roleless, "view_enterprise"))) == [enterprise]


def test_the_station_portal_follows_the_permission(client_for, township_a):
    clerk = UserFactory(username="new_station", township=township_a)
    assert client_for(clerk).get("/station/").status_code == 403
    grant(clerk, "use_station_portal")
    assert client_for(clerk).get("/station/").status_code == 200


def test_every_relation_choice_in_the_admin_is_scoped(client_for, township_a, township_b, person_a, person_b):
    """Foreign keys and many-to-many choices of any admin form follow `visible_to`, without code per model."""
    clerk = UserFactory(username="township_clerk", is_staff=True, township=township_a)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_enterprise", "view_enterprise", "add_publicityevent"])
    )
    own_model = RoleModelFactory(person=person_a, township=township_a)
    other_model = RoleModelFactory(person=person_b, township=township_b)
    client = client_for(clerk)

    founders = client.get("/admin/bureau/enterprise/add/").context["adminform"].form.fields["founder"].queryset
    assert list(founders) == [person_a]
    role_models = client.get("/admin/employment/publicityevent/add/").context["adminform"].form.fields["role_models"]
    assert list(role_models.queryset) == [own_model]
    assert other_model not in role_models.queryset

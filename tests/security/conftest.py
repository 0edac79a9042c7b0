"""
One dataset for the route matrix, built once per module (per xdist worker) inside a
transaction that is rolled back at the end: every object a URL can name, all in
township A (甲镇), a user for each role, signed in once, and one test client per role.

The core's objects, and an area's whose URL needs a particular state (a protected record,
a run the clerk generated), are built below by hand. Every other model of an area app
that a URL names gets one object from its factory (`from_factory`): the person and the
township of the dataset where the model has them, so a sixth area needs no line here.

Each test runs inside its own savepoint (pytest-django's `db`), so a write a role is
allowed to make (a clerk's DELETE) is undone before the next test.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from bureau import roles
from bureau.models import (
    Attachment,
    ExportJob,
    ImportJob,
    Notice,
    PasswordReset,
    Person,
    Township,
    TransferRequest,
)
from employment.models import JobFair
from pensions.models import BenefitStandard
from tests import factories
from tests.commemoration import factories as commemoration
from tests.employment import factories as employment
from tests.pensions import factories as pensions
from tests.resettlement import factories as resettlement
from tests.security import declared
from tests.support_army import factories as support_army
from tests.test_query_counts import FACTORIES

ANONYMOUS = "anonymous"
STATION_A = "station_user_a"
STATION_B = "station_user_b"
CLERK = "bureau_user"
LEADER = "leader"
AUDITOR = "auditor"
SYSADMIN = "sysadmin"
SECADMIN = "secadmin"
ROLE_NAMES = (ANONYMOUS, STATION_A, STATION_B, CLERK, LEADER, AUDITOR, SYSADMIN, SECADMIN)


@dataclass
class MatrixData:
    users: dict = field(default_factory=dict)
    # "app_label.model_name" -> one object of township A (or a district-wide one where the model has no township).
    objects: dict = field(default_factory=dict)
    # "app_label.historicalmodel" -> the history row of that object.
    history: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    # role -> session key of a signed-in session (no entry for the anonymous visitor).
    sessions: dict = field(default_factory=dict)
    # role -> the test client that role's requests go through (its cookies set before each request).
    clients: dict = field(default_factory=dict)


def _users(township_a, township_b) -> dict:
    # The same accounts as the function-scoped fixtures of tests/conftest.py.
    make = factories.UserFactory
    return {
        STATION_A: make(username="station_a", first_name="甲镇站", township=township_a, groups=[roles.STATION_STAFF]),
        STATION_B: make(username="station_b", first_name="乙镇站", township=township_b, groups=[roles.STATION_STAFF]),
        CLERK: make(username="clerk", first_name="局机关", is_staff=True, groups=[roles.BUREAU_STAFF]),
        LEADER: make(username="leader", first_name="局领导", is_staff=True, groups=[roles.LEADERSHIP]),
        AUDITOR: make(username="auditor", first_name="审计员", is_staff=True, groups=[roles.AUDITOR]),
        SYSADMIN: make(username="sysadmin", first_name="系统管理员", is_staff=True, groups=[roles.SYSTEM_ADMIN]),
        SECADMIN: make(username="secadmin", first_name="安全管理员", is_staff=True, groups=[roles.SECURITY_ADMIN]),
    }


def build_matrix_data() -> MatrixData:
    data = MatrixData()
    township_a = factories.TownshipFactory(code="A01", name="甲镇", order=1)
    township_b = factories.TownshipFactory(code="B01", name="乙镇", order=2)
    data.users = _users(township_a, township_b)
    clerk = data.users[CLERK]

    person = factories.PersonFactory(
        name="张甲",
        id_number=factories.make_id_number(birth_date=datetime.date(1975, 5, 5), sequence=101),
        township=township_a,
        discharged_on=datetime.date(2021, 3, 1),
    )
    relative = factories.PersonFactory(name="张甲之妻", township=township_a, status="family")
    programme = factories.PaymentProgrammeFactory(code="matrix-programme")
    batch = factories.PaymentBatchFactory(programme=programme, created_by=clerk)
    enterprise = employment.EnterpriseFactory(township=township_a)
    park = employment.StartupParkFactory(township=township_a)
    fair = employment.JobFairFactory(township=township_a)
    training = employment.TrainingClassFactory(township=township_a)
    payroll_run = pensions.PayrollRunFactory(period="2021-03", generated_by=clerk)
    subsidy_run = resettlement.SubsidyRunFactory(cohort_year=2021, calculated_by=clerk, persons=1, total="30500.00")
    visit = factories.VisitFactory(person=person)
    checkup_batch = factories.CheckUpBatchFactory(township=township_a)
    # A placement batch in preparation (a started one refuses deletes): a post, an NCO of township A the
    # registry shows eligible a candidate (a save checks it).
    placement_batch = resettlement.PlacementBatchFactory()
    placement_position = resettlement.PlacementPositionFactory(batch=placement_batch)
    placement_candidate = resettlement.PlacementCandidateFactory(
        batch=placement_batch, person=resettlement.NcoFactory(name="张乙", township=township_a)
    )
    soldier = support_army.SoldierFactory(name="张甲之子", township=township_a)
    notice_batch = support_army.MeritNoticeBatchFactory(township=township_a)
    reception_point = support_army.ReceptionPointFactory(township=township_a)
    registration = support_army.HomecomingRegistrationFactory(person=person, point=reception_point)
    step = support_army.HomecomingStepFactory(name="矩阵测试事项")
    gala = support_army.ArmyDayGalaFactory(township=township_a)
    # Commemoration: a facility with an inspection (protected), a published martyr with a photo and a
    # message waiting for moderation, a selection with township A's nominee.
    facility = commemoration.MemorialFacilityFactory(township=township_a)
    martyr = commemoration.MartyrFactory(person=commemoration.FallenFactory(name="张甲烈士", township=township_a))
    martyr.photo.save("matrix-martyr.jpg", ContentFile(b"\xff\xd8\xff\xe0 matrix photo"), save=True)
    selection = commemoration.HonourSelectionFactory(title="矩阵测试称号", edition=1, year=2021)
    run = factories.AnnualReportRunFactory(township=township_a, requested_by=clerk, formats="docx")
    run.docx_file.save("matrix-report.docx", ContentFile(b"PK matrix report"), save=True)
    objects = {
        "bureau.township": township_a,
        "bureau.siteprofile": factories.SiteProfileFactory(),
        "bureau.user": data.users[STATION_A],
        # The system administrator's reset of the clerk's password, waiting for the security administrator.
        "bureau.passwordreset": PasswordReset.objects.create(
            user=clerk, password=make_password("Matrix-reset-2026!"), set_by=data.users[SYSADMIN]
        ),
        "auth.group": Group.objects.get(name=roles.STATION_STAFF),
        "bureau.person": person,
        "bureau.paymentprogramme": programme,
        "bureau.paymentbatch": batch,
        "bureau.payment": factories.PaymentFactory(person=person, programme=programme, batch=batch),
        # A payment by hand awaiting approval, prepared by the clerk (who cannot approve it).
        "bureau.paymentproposal": factories.PaymentProposalFactory(
            programme=programme, prepared_by=clerk, person=person
        ),
        "bureau.bankaccount": factories.BankAccountFactory(person=person),
        "bureau.heldpayment": factories.HeldPaymentFactory(person=person, programme=programme, batch=batch),
        "bureau.merit": factories.MeritFactory(person=person),
        "bureau.familylink": factories.FamilyLinkFactory(person=relative, relative=person),
        # Not yet in force, so still correctable (one in force is read-only).
        "pensions.benefitstandard": BenefitStandard.objects.create(
            category="disabled_soldier", monthly_amount="2150.00", valid_from=datetime.date(2099, 1, 1)
        ),
        "pensions.payrollrun": payroll_run,
        "pensions.payrollline": pensions.PayrollLineFactory(run=payroll_run, person=person),
        "resettlement.subsidystandard": resettlement.SubsidyStandardFactory(year=2021),
        "resettlement.subsidyrun": subsidy_run,
        "resettlement.subsidyline": resettlement.SubsidyLineFactory(run=subsidy_run, person=person),
        "bureau.visit": visit,
        "resettlement.scoringrule": placement_batch.rule,
        "resettlement.placementbatch": placement_batch,
        "resettlement.placementcandidate": placement_candidate,
        # The post, adjustment and deferral have no admin of their own: here for their history rows.
        "resettlement.placementposition": placement_position,
        "resettlement.scoreadjustment": resettlement.ScoreAdjustmentFactory(candidate=placement_candidate),
        "resettlement.placementdeferral": resettlement.PlacementDeferralFactory(candidate=placement_candidate),
        "resettlement.placementselection": resettlement.PlacementSelectionFactory(
            candidate=resettlement.PlacementCandidateFactory(batch=placement_batch, person=relative),
            position=placement_position,
            confirmed_by=clerk,
        ),
        "bureau.checkupbatch": checkup_batch,
        "bureau.checkup": factories.CheckUpFactory(batch=checkup_batch, person=person),
        "pensions.conscriptbenefit": pensions.ConscriptBenefitFactory(family=relative),
        "pensions.problem": pensions.ProblemFactory(person=person, source="visit", visit=visit),
        "support_army.meritnoticebatch": notice_batch,
        "support_army.meritnotice": support_army.MeritNoticeFactory(
            soldier=soldier, batch=notice_batch, delivered_on=notice_batch.delivered_on
        ),
        "support_army.receptionpoint": reception_point,
        "support_army.dutyshift": support_army.DutyShiftFactory(point=reception_point),
        "support_army.homecomingstep": step,
        "support_army.homecomingregistration": registration,
        "support_army.homecomingstepcompletion": support_army.HomecomingStepCompletionFactory(
            registration=registration, step=step, done_by=clerk
        ),
        "support_army.armydaygala": gala,
        "support_army.galaprogramme": support_army.GalaProgrammeFactory(gala=gala),
        "support_army.alliancemember": support_army.AllianceMemberFactory(enterprise=enterprise),
        "commemoration.memorialfacility": facility,
        "commemoration.facilityinspection": commemoration.FacilityInspectionFactory(facility=facility),
        "commemoration.upgradeproject": commemoration.UpgradeProjectFactory(township=township_a, facilities=[facility]),
        "commemoration.martyr": martyr,
        "commemoration.martyrrelic": commemoration.MartyrRelicFactory(martyr=martyr),
        "commemoration.honourselection": selection,
        "commemoration.nominee": commemoration.NomineeFactory(selection=selection, person=person),
        "commemoration.ceremony": commemoration.CeremonyFactory(township=township_a, facility=facility),
        "commemoration.tribute": commemoration.MessageFactory(martyr=martyr),
        "bureau.exportlog": factories.ExportLogFactory(user=clerk),
        "bureau.enterprise": enterprise,
        "bureau.pendingchange": factories.PendingChangeFactory(person=person, proposed_by=data.users[STATION_A]),
        # Station A's notice of the bureau's review (station:notice_open).
        "bureau.notice": Notice.objects.create(
            recipient=data.users[STATION_A], text="区局已审核通过您提交的“人员 张甲”。", url="/station/"
        ),
        # A station of township A registered a number township B holds: a request to move to A.
        "bureau.transferrequest": TransferRequest.objects.create(
            person=factories.PersonFactory(name="李乙", township=township_b),
            from_township=township_b,
            to_township=township_a,
            submitted_name="李乙",
            requested_by=data.users[STATION_A],
        ),
        "employment.startuppark": park,
        "employment.parktenancy": employment.ParkTenancyFactory(park=park, enterprise=enterprise),
        "employment.jobfair": fair,
        "employment.fairparticipation": employment.FairParticipationFactory(fair=fair, enterprise=enterprise),
        "employment.fairattendance": employment.FairAttendanceFactory(fair=fair, person=person),
        "employment.employmentintention": employment.EmploymentIntentionFactory(
            person=person, enterprise=enterprise, fair=fair
        ),
        "employment.trainingclass": training,
        "employment.trainee": employment.TraineeFactory(training_class=training, person=person),
        "employment.jobposting": employment.JobPostingFactory(enterprise=enterprise),
        "employment.employmentoutcome": employment.EmploymentOutcomeFactory(person=person, enterprise=enterprise),
        "reports.narrative": factories.NarrativeFactory(updated_by=clerk),
        "reports.reportyear": factories.ReportYearFactory(year=2021, updated_by=clerk),
        "reports.annualreportrun": run,
        "reports.reportdownload": factories.ReportDownloadFactory(run=run, user=clerk),
        "authtoken.tokenproxy": factories.TokenFactory(user=data.users[CLERK]),
        "axes.accesslog": factories.AccessLogFactory(username="station_a"),
        "axes.accessfailurelog": factories.AccessFailureLogFactory(username="station_a"),
        "bureau.auditevent": factories.AuditEventFactory(user=clerk),
        # A year closed and reopened: its row, without locking any record of the matrix.
        "bureau.closedyear": factories.ClosedYearFactory(year=2019, closed=False, closed_by=clerk),
    }
    for model in declared.record_models():
        if model._meta.label_lower not in objects:
            objects[model._meta.label_lower] = from_factory(model, person=person, township=township_a)
    factories.FamilyLinkFactory(person=person, relative=relative)
    factories.MeritFactory(person=person)
    factories.PersonCategoryFactory(person=person)
    data.objects = objects
    for label, obj in objects.items():
        history = getattr(type(obj), "history", None)
        if history is not None:
            app_label, model_name = label.split(".")
            data.history[f"{app_label}.historical{model_name}"] = history.filter(
                **{type(obj)._meta.pk.attname: obj.pk}
            ).first()
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(JobFair), object_id=fair.pk, title="会议纪要"
    )
    attachment.file.save("matrix-minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
    data.extra["attachment"] = attachment
    # The clerk's own import of persons (validated, awaiting confirmation) and export (done, its file kept).
    data.extra["import_job"] = ImportJob.objects.create(
        user=clerk, model="bureau.person", kind="人员", status=ImportJob.Status.VALIDATED, rows_total=1
    )
    export_job = ExportJob(
        user=clerk,
        model="bureau.person",
        kind="人员",
        status=ExportJob.Status.DONE,
        rows_total=1,
        rows_done=1,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    export_job.file.save("matrix-export.xlsx", ContentFile(b"PK matrix"), save=True)
    data.extra["export_job"] = export_job
    data.clients[ANONYMOUS] = Client()
    for role, user in data.users.items():
        client = data.clients[role] = Client()
        client.force_login(user)
        data.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    # After the sign-ins: a completed sign-in clears its account's failed attempts (bureau.rules.accounts).
    data.objects["axes.accessattempt"] = factories.AccessAttemptFactory(username="station_a")
    return data


def from_factory(model, *, person, township):
    """
    One object of an area's model from its factory (any `tests/**/factories.py`), in township A:
    the dataset's person and township fill the model's `person` and `township`, as an area's
    record is declared on the kit (a TownshipRecord of a registry person).
    """
    factory = FACTORIES.get(model)
    if factory is None:
        pytest.fail(
            f"No factory for {model._meta.label}: add one to the app's tests/<app>/factories.py so the route "
            "matrix can build the object its URLs name.",
            pytrace=False,
        )
    fields = {field.name: field.related_model for field in model._meta.concrete_fields if field.is_relation}
    given = {"person": person} if fields.get("person") is Person else {}
    if fields.get("township") is Township:
        given["township"] = township
    return factory(**given)


def keep_signed_in(data: MatrixData) -> None:
    """
    The dataset's sessions outlive a slow run. They were signed in once, when the module began,
    and a request's renewal of its session (SESSION_SAVE_EVERY_REQUEST) is undone with the test's
    savepoint, so after 30 minutes (SESSION_COOKIE_AGE, a loaded machine's run) every role would be
    signed out. Renewed for the one test, inside its savepoint.
    """
    expiry = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    Session.objects.filter(session_key__in=data.sessions.values()).update(expire_date=expiry)


@pytest.fixture(scope="module")
def matrix_data(django_db_setup, django_db_blocker):
    """The dataset, committed for no one: the module's transaction is rolled back at teardown."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_matrix_data()
        transaction.set_rollback(True)

"""
Every record type the admin imports, core and areas alike, found from the admin site (not listed
by hand, so a type made importable later is covered): its template downloads with the import's own
header row and a sample row under that header, and a masked value (a masked export re-imported) in
each of its sensitive columns is refused with the masked message, not as a malformed value, and
nothing is written.
"""

from io import BytesIO

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from bureau.importexport import PortalXLSX
from bureau.importexport.widgets import MASKED_ID_NUMBER, MASKED_VALUE

MASKED_ID = "110101********1234"
MASKED_OTHER = "138****5678"


def importable_admins():
    return sorted(
        (model_admin for model_admin in admin.site._registry.values() if getattr(model_admin, "importable", False)),
        key=lambda model_admin: model_admin.model._meta.label,
    )


IMPORTABLE = [pytest.param(model_admin, id=model_admin.model._meta.label) for model_admin in importable_admins()]


def resource_of(model_admin, user):
    return model_admin.get_import_resource_classes(None)[0](user=user)


def sensitive_columns(resource) -> list:
    """The import columns whose value is masked in an export: declared sensitive, or an ID number."""
    return [
        field
        for field in resource.import_columns()
        if getattr(field.widget, "says_masked", False) or resource.mask_of(field) is not None
    ]


def test_the_kit_finds_the_importable_types_of_every_area():
    apps = {model_admin.model._meta.app_label for model_admin in importable_admins()}
    assert {"bureau", "employment", "resettlement", "pensions", "support_army", "commemoration"} <= apps
    # Record types without personal data (an activity, a facility) have no sensitive column; the
    # others' ID numbers, phones, bank accounts and health summaries are all checked below.
    checked = {
        field.column_name
        for model_admin in importable_admins()
        for field in sensitive_columns(resource_of(model_admin, None))
    }
    assert {"身份证号", "联系电话", "银行账号", "体检结果摘要"} <= checked
    with_id_numbers = [
        model_admin.model._meta.label
        for model_admin in importable_admins()
        if any(
            getattr(field.widget, "says_masked", False) for field in sensitive_columns(resource_of(model_admin, None))
        )
    ]
    assert with_id_numbers == [
        *("bureau.BankAccount", "bureau.CheckUp", "bureau.Enterprise", "bureau.Person", "bureau.Visit"),
        *("commemoration.Martyr", "commemoration.Nominee"),
        *("employment.EmploymentIntention", "employment.EmploymentOutcome", "employment.FairAttendance"),
        *("employment.RoleModel", "employment.Trainee", "kit_area.Grant", "kit_area_two.Stipend"),
        *("pensions.ConscriptBenefit", "pensions.HardshipAid", "pensions.OralHistoryInterview", "pensions.Problem"),
        *("resettlement.InsuranceContinuation", "support_army.HomecomingRegistration", "support_army.MeritNotice"),
    ]


@pytest.mark.parametrize("model_admin", IMPORTABLE)
def test_the_template_has_the_imports_header_and_a_sample_row(model_admin, client_for, bureau_user):
    opts = model_admin.model._meta
    response = client_for(bureau_user).get(reverse(f"admin:{opts.app_label}_{opts.model_name}_import_template"))

    assert response.status_code == 200
    book = openpyxl.load_workbook(BytesIO(response.content))
    data, notes = book.worksheets[0], book["填写说明"]
    header = [field.column_name for field in resource_of(model_admin, bureau_user).import_columns()]
    assert [cell.value for cell in data[1]] == header
    rows = list(notes.iter_rows(values_only=True))
    assert tuple(header) in rows
    sample = rows[rows.index(tuple(header)) + 1]
    assert any(value not in (None, "") for value in sample)


@pytest.mark.parametrize("model_admin", IMPORTABLE)
def test_a_masked_value_in_each_sensitive_column_is_said_to_be_masked(model_admin, bureau_user):
    resource = resource_of(model_admin, bureau_user)
    columns = sensitive_columns(resource)
    header = [field.column_name for field in resource.import_columns()]
    model = model_admin.model
    before = model.objects.count()
    for field in columns:
        says_masked = getattr(field.widget, "says_masked", False)
        masked, message = (MASKED_ID, MASKED_ID_NUMBER) if says_masked else (MASKED_OTHER, MASKED_VALUE)
        book = openpyxl.Workbook()
        book.active.append(header)
        book.active.append([masked if column == field.column_name else None for column in header])
        stream = BytesIO()
        book.save(stream)

        result = resource_of(model_admin, bureau_user).import_data(PortalXLSX().create_dataset(stream.getvalue()))

        said = [text for text in result.row_messages if message in text]
        assert said, (field.column_name, result.row_messages)
    assert model.objects.count() == before

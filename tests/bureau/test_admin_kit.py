"""
The admin kit's shape (bureau/admin/): one short module per concern, composed by `ScopedAdmin`,
each Django hook overridden once per concern, masked and related-field columns set as attributes
(no `__getattr__` answering any name), and every run admin on the one run-steps base.
"""

from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory
from django.urls import reverse

import bureau.admin
from bureau.admin import LedgerRecordAdmin, ReadOnlyAdmin, RecordAdmin, RunStepsAdmin, ScopedAdmin
from bureau.models import Person, Visit

ADMIN_PACKAGE = Path(bureau.admin.__file__).parent
CONCERNS = [
    "scoping",
    "masking",
    "review",
    "imports",
    "exports",
    "find",
    "changelist",
    "listcost",
    "lookups",
    "runs",
    "base",
]
HOOKS = [
    "changelist_view",
    "lookup_allowed",
    "get_list_display",
    "get_urls",
    "change_view",
    "history_form_view",
    "declared_lookups",
    "get_queryset",
]


def test_each_concern_of_the_kit_is_a_module_under_200_lines():
    for name in CONCERNS:
        lines = (ADMIN_PACKAGE / f"{name}.py").read_text(encoding="utf-8").count("\n")
        assert lines <= 200, f"bureau/admin/{name}.py has {lines} lines"


def test_no_module_of_the_admin_package_passes_450_lines():
    for module in ADMIN_PACKAGE.glob("*.py"):
        assert module.read_text(encoding="utf-8").count("\n") <= 450, module.name


def test_the_old_flat_admin_modules_are_gone():
    bureau_dir = ADMIN_PACKAGE.parent
    assert not (bureau_dir / "admin.py").exists()
    assert not list(bureau_dir.glob("admin_*.py"))


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_overridden_at_most_once_per_concern(hook):
    defining = [cls for cls in ScopedAdmin.__mro__ if hook in vars(cls) and cls.__module__.startswith("bureau.admin")]
    modules = [cls.__module__ for cls in defining]
    assert len(modules) == len(set(modules)), f"{hook} twice in one concern: {defining}"
    # The kit's own hook (declared_lookups) ends in QueryAllowListMixin; the others reach Django's
    # or a library's (simple-history, import-export).
    outside = ("django.", "simple_history.", "import_export.")
    assert hook == "declared_lookups" or any(
        hook in vars(cls) for cls in ScopedAdmin.__mro__ if cls.__module__.startswith(outside)
    )


def test_one_lookup_allowed_in_the_kit():
    defining = [cls.__name__ for cls in ScopedAdmin.__mro__ if "lookup_allowed" in vars(cls)]
    assert defining == ["QueryAllowListMixin", "BaseModelAdmin"]


def test_no_class_of_the_kit_answers_attributes_through_getattr():
    for cls in LedgerRecordAdmin.__mro__:
        assert "__getattr__" not in vars(cls), cls


class VisitColumns(ScopedAdmin):
    list_display = ["person", "person__id_number", "person__township", "visited_on"]


def test_masked_and_related_columns_are_set_on_the_admin_when_it_is_made(bureau_user):
    model_admin = VisitColumns(Visit, AdminSite())
    request = RequestFactory().get("/")
    request.user = bureau_user

    assert model_admin.get_list_display(request) == [
        "person",
        "masked_person__id_number",
        "path_person__township",
        "visited_on",
    ]
    assert {"masked_person__id_number", "path_person__township"} <= set(vars(model_admin))
    assert str(model_admin.masked_person__id_number.short_description) == "身份证号"
    assert model_admin.path_person__township.admin_order_field == "person__township"
    # A name nobody declared is no attribute: no __getattr__ makes one up.
    with pytest.raises(AttributeError):
        model_admin.masked_person__phone  # noqa: B018
    with pytest.raises(AttributeError):
        model_admin.path_person__name  # noqa: B018


def test_a_column_added_at_request_time_gets_its_attribute(bureau_user):
    class Later(VisitColumns):
        def get_list_display(self, request):
            self.list_display = [*VisitColumns.list_display, "person__phone"]
            return super().get_list_display(request)

    model_admin = Later(Visit, AdminSite())
    request = RequestFactory().get("/")
    request.user = bureau_user
    assert "masked_person__phone" not in vars(model_admin)
    assert model_admin.get_list_display(request)[-1] == "masked_person__phone"
    assert model_admin.masked_person__phone.__name__ == "masked_person__phone"


def test_the_person_admin_has_masked_fields_for_its_own_sensitive_fields():
    person_admin = admin.site._registry[Person]
    assert {"masked_id_number", "masked_phone"} <= set(vars(person_admin))


def test_the_public_names_are_importable_from_the_package():
    for name in bureau.admin.__all__:
        assert hasattr(bureau.admin, name), name
        if name[0].isupper() and name != "WORKFLOW_READONLY":
            assert name in bureau.admin.__doc__, f"{name} is not documented in bureau/admin/__init__.py"
    assert issubclass(LedgerRecordAdmin, RecordAdmin)


def run_admins():
    return [model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, RunStepsAdmin)]


def test_every_run_admin_is_built_on_the_run_steps_base_without_a_copy_of_it():
    assert len(run_admins()) >= 2
    for model_admin in run_admins():
        for own in type(model_admin).__mro__:
            if own is RunStepsAdmin:
                break
            for name in ("_page", "_run", "_back", "get_urls", "has_change_permission", "has_delete_permission"):
                assert name not in vars(own), f"{own.__name__} copies {name}"


def test_a_run_is_never_changed_or_deleted_in_the_admin(superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    for model_admin in run_admins():
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_every_step_has_its_url_and_a_missing_run_is_a_404(client_for, superuser):
    client = client_for(superuser)
    for model_admin in run_admins():
        opts = model_admin.opts
        assert model_admin.steps
        for step in model_admin.steps:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{step.replace('-', '_')}", args=[999999])
            assert url.endswith(f"/999999/{step}/")
            assert client.get(url).status_code == 404


def test_a_step_needs_its_permission(client_for, leader):
    client = client_for(leader)
    for model_admin in run_admins():
        opts = model_admin.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_bank_file", args=[1])
        assert client.get(url).status_code == 403


def test_the_read_only_admins_of_the_core_are_read_only(superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    read_only = [model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, ReadOnlyAdmin)]
    assert read_only
    for model_admin in read_only:
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)

"""
The government-arranged placement in the admin: the scoring rule, the batch with its posts, the
candidates with their score components and adjustments, and the session's pages — the ranking,
the confirmation to start, the session desk (confirm a choice, a deferral, the close) and the big
screen that refreshes itself. Every step is a service of `resettlement.selection`.
"""

from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET

from bureau.admin import SensitiveQueryMixin, VersionedAdminMixin
from resettlement import placement_exports, selection
from resettlement.models import (
    PlacementBatch,
    PlacementCandidate,
    PlacementPosition,
    PlacementSelection,
    ScoreAdjustment,
    ScoringRule,
)

State = PlacementBatch.State
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The result list: printable (Word) and for further work (Excel).
RESULT_WRITERS = {"docx": (placement_exports.result_docx, DOCX), "xlsx": (placement_exports.result_xlsx, XLSX)}


def _frozen(batch: PlacementBatch | None) -> bool:
    return batch is not None and batch.state != State.PREPARING


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin):
    """The published rule set. One a session followed is kept as it was: a new rule is a new row."""

    list_display = ["name", "published_on", "document", "per_service_year", "third_class_merit"]
    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.used_in_session())

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.used_in_session())


class FrozenInlineMixin:
    """Rows of a batch are added, changed and deleted only while it prepares."""

    def _editable(self, request, obj):
        batch = obj if isinstance(obj, PlacementBatch) else getattr(obj, "batch", None)
        return not _frozen(batch)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


class PlacementPositionInline(FrozenInlineMixin, admin.TabularInline):
    model = PlacementPosition
    fields = ["department", "institution", "fully_funded", "title", "posts"]
    extra = 0


class SessionForm(forms.Form):
    candidate = forms.IntegerField(widget=forms.HiddenInput)
    position = forms.TypedChoiceField(label="所选岗位", coerce=int, widget=forms.RadioSelect)
    signed = forms.BooleanField(
        label="候选人已当场签字确认",
        error_messages={"required": "请候选人当场签字确认后再提交。"},
    )
    signature_scan = forms.FileField(label="签字确认扫描件（可选）", required=False)

    def __init__(self, *args, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].choices = [
            (position.pk, f"{position.department}｜{position.institution}·{position.title}（剩余 {left} 个）")
            for position, left in posts
            if left > 0
        ]
        self.fields["position"].error_messages["required"] = "请选择岗位。"
        self.fields["position"].error_messages["invalid_choice"] = "所选岗位已选满或不属于本批次，请重新选择。"


@admin.register(PlacementBatch)
class PlacementBatchAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "year", "state", "session_on", "venue", "started_at", "closed_at"]
    list_filter = ["year", "state"]
    list_select_related = ["rule"]
    search_fields = ["title"]
    fields = ["year", "title", "rule", "session_on", "venue", "notes", "state", "started_at", "started_by", "closed_at"]
    inlines = [PlacementPositionInline]
    change_form_template = "admin/resettlement/placementbatch/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        computed = ["state", "started_at", "started_by", "closed_at"]
        if _frozen(obj):
            return [*PlacementBatch.FROZEN_FIELDS[:2], "rule", *PlacementBatch.FROZEN_FIELDS[3:], *computed]
        return computed

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _frozen(obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:batch_id>/ranking/",
                view(require_GET(self.ranking_view)),
                name="resettlement_placementbatch_ranking",
            ),
            path("<int:batch_id>/start/", view(self.start_view), name="resettlement_placementbatch_start"),
            path("<int:batch_id>/session/", view(self.session_view), name="resettlement_placementbatch_session"),
            path("<int:batch_id>/close/", view(self.close_view), name="resettlement_placementbatch_close"),
            path("<int:batch_id>/live/", view(require_GET(self.live_view)), name="resettlement_placementbatch_live"),
            path(
                "<int:batch_id>/live.json",
                view(require_GET(self.live_json)),
                name="resettlement_placementbatch_live_json",
            ),
            *(
                path(
                    f"<int:batch_id>/results.{file_format}",
                    view(require_GET(self.results_view)),
                    {"file_format": file_format},
                    name=f"resettlement_placementbatch_results_{file_format}",
                )
                for file_format in RESULT_WRITERS
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = PlacementBatch.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra = {}
        if batch is not None:
            extra = {
                "batch": batch,
                "may_run": request.user.has_perm(selection.PERMISSION),
                "candidates_url": reverse("admin:resettlement_placementcandidate_changelist")
                + f"?batch__id__exact={batch.pk}",
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # --- the session's pages ----------------------------------------------------------------------

    def _batch(self, request, batch_id, *, run=False) -> PlacementBatch:
        if not self.has_view_permission(request) or (run and not request.user.has_perm(selection.PERMISSION)):
            raise PermissionDenied
        return get_object_or_404(PlacementBatch.objects.select_related("rule"), pk=batch_id)

    def _page(self, request, template, title, batch, **context):
        return TemplateResponse(
            request,
            template if "/" in template else f"admin/resettlement/placementbatch/{template}",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.opts,
                "batch": batch,
                "may_run": request.user.has_perm(selection.PERMISSION),
                **context,
            },
        )

    def _to(self, name, batch):
        return HttpResponseRedirect(reverse(f"admin:resettlement_placementbatch_{name}", args=[batch.pk]))

    def ranking_view(self, request, batch_id):
        batch = self._batch(request, batch_id)
        ranked = selection.ranking(batch)
        return self._page(
            request,
            "ranking.html",
            f"{batch} · 量化评分排名",
            batch,
            ranked=ranked,
            labels=[c.label for c in ranked[0].components] if ranked else [],
            tie_rule=selection.TIE_RULE,
            turn_rule=selection.TURN_RULE,
            fixed=not batch.preparing,
        )

    def start_view(self, request, batch_id):
        batch = self._batch(request, batch_id, run=True)
        if request.method == "POST":
            try:
                selection.start_session(batch=batch, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                return self._to("start", batch)
            self.message_user(request, "公开选岗已开始：排名已固定，批次不能再修改。", messages.SUCCESS)
            return self._to("session", batch)
        state = selection.session_state(batch)
        return self._page(
            request,
            "admin/step_confirm.html",
            f"开始公开选岗：{batch}",
            batch,
            obj=batch,
            back_label="返回批次",
            refusal=selection.start_refusal(batch),
            action="开始公开选岗",
            summary=f"候选人 {len(state.ranked)} 名，岗位 {state.posts_left} 个（{len(state.posts)} 个单位）。"
            + ("岗位少于候选人，排名靠后者可能无岗可选。" if state.posts_left < len(state.ranked) else ""),
            message=f"{selection.TURN_RULE}开始后，排名和总分即固定，候选人、岗位、评分和评分办法都不能再修改；"
            "请先核对量化评分排名。",
        )

    def session_view(self, request, batch_id):
        batch = self._batch(request, batch_id)
        form = None
        if request.method == "POST":
            if not request.user.has_perm(selection.PERMISSION):
                raise PermissionDenied
            if request.POST.get("action") == "defer":
                return self._defer(request, batch)
            # A confirmation needs only the posts still open, not the ranking (the page after it computes that).
            form = SessionForm(request.POST, request.FILES, posts=selection.open_posts(batch))
            if form.is_valid():
                try:
                    chosen = selection.confirm(
                        batch=batch,
                        candidate_id=form.cleaned_data["candidate"],
                        position_id=form.cleaned_data["position"],
                        by=request.user,
                        signed=form.cleaned_data["signed"],
                        signature_scan=form.cleaned_data["signature_scan"],
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request, f"{chosen.candidate.person.name} 已选定「{chosen.position}」。", messages.SUCCESS
                    )
                    return self._to("session", batch)
            status = 400
        else:
            status = 200
        state = selection.session_state(batch)
        if form is None and state.current is not None:
            form = SessionForm(initial={"candidate": state.current.candidate.pk}, posts=state.posts)
        response = self._page(
            request,
            "session.html",
            f"公开选岗现场：{batch}",
            batch,
            state=state,
            form=form,
            log=_session_log(batch),
        )
        response.status_code = status
        return response

    def _defer(self, request, batch):
        candidate = request.POST.get("candidate", "")
        try:
            if not candidate.isdigit():
                raise ValidationError("请求无效：缺少候选人。")
            selection.defer(batch=batch, candidate_id=int(candidate), by=request.user)
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, "已暂缓：该候选人将在其余候选人选岗后选岗。", messages.SUCCESS)
        return self._to("session", batch)

    def close_view(self, request, batch_id):
        batch = self._batch(request, batch_id, run=True)
        if request.method == "POST":
            try:
                selection.close_session(batch=batch, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, "公开选岗已结束。", messages.SUCCESS)
            return self._to("session", batch)
        state = selection.session_state(batch)
        waiting = len(state.ranked) - state.placed
        return self._page(
            request,
            "admin/step_confirm.html",
            f"结束公开选岗：{batch}",
            batch,
            obj=batch,
            back_label="返回选岗现场",
            back_url=reverse("admin:resettlement_placementbatch_session", args=[batch.pk]),
            refusal="" if batch.state == State.IN_SESSION else "公开选岗未在进行中。",
            action="结束公开选岗",
            summary=f"还有 {waiting} 名候选人未选岗，结束后他们将不能在本次选岗中选岗。"
            if waiting
            else "全部候选人均已选岗。",
            message="结束后不能重新开始。",
        )

    def live_view(self, request, batch_id):
        batch = self._batch(request, batch_id)
        return TemplateResponse(
            request,
            "admin/resettlement/placementbatch/live.html",
            {
                "batch": batch,
                "data": selection.live_data(batch),
                "json_url": reverse("admin:resettlement_placementbatch_live_json", args=[batch.pk]),
            },
        )

    def results_view(self, request, batch_id, file_format):
        """The result list, printable (Word) or for further work (Excel); in the export log."""
        batch = self._batch(request, batch_id)
        write, content_type = RESULT_WRITERS[file_format]
        content, name = write(batch, by=request.user)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    def live_json(self, request, batch_id):
        batch = self._batch(request, batch_id)
        return JsonResponse(selection.live_data(batch), json_dumps_params={"ensure_ascii": False})


def _session_log(batch: PlacementBatch) -> list[tuple]:
    """The session's steps in time order: (time, what, by whom)."""
    steps = []
    for chosen in PlacementSelection.objects.filter(candidate__batch=batch).select_related(
        "candidate__person", "position", "confirmed_by"
    ):
        steps.append(
            (
                chosen.chosen_at,
                f"第{chosen.candidate.rank or '—'}名 {chosen.candidate.person.name} 选定「{chosen.position}」"
                + ("，已签字" if chosen.signed else ""),
                chosen.confirmed_by,
            )
        )
    for candidate in batch.candidates.filter(deferral__isnull=False).select_related("person", "deferral__deferred_by"):
        steps.append(
            (
                candidate.deferral.deferred_at,
                f"第{candidate.rank or '—'}名 {candidate.person.name} 暂缓选岗",
                candidate.deferral.deferred_by,
            )
        )
    if batch.started_at:
        steps.append((batch.started_at, "开始公开选岗，排名固定", batch.started_by))
    if batch.closed_at:
        steps.append((batch.closed_at, "公开选岗结束", None))
    return sorted(steps, key=lambda step: step[0])


class ScoreAdjustmentInline(FrozenInlineMixin, admin.TabularInline):
    model = ScoreAdjustment
    fields = ["points", "reason", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    extra = 0


@admin.register(PlacementCandidate)
class PlacementCandidateAdmin(SensitiveQueryMixin, admin.ModelAdmin):
    list_display = ["person", "batch", "eligibility", "service_years", "score_shown", "rank"]
    list_filter = ["batch", "eligibility"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]
    inlines = [ScoreAdjustmentInline]
    # Service years and merits are the registry's (shown, never typed); the batch's own facts are
    # the hard-area service and the training; any other change is an adjustment with its reason.
    readonly_fields = ["registry_shown", "components_shown", "score", "rank"]
    fields = [
        "batch",
        "person",
        "eligibility",
        "registry_shown",
        "hardship_years",
        "training",
        "components_shown",
        "score",
        "rank",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("person", "batch__rule")
            .prefetch_related("adjustments", "person__merits")
        )

    @admin.display(description="据人员登记")
    def registry_shown(self, candidate):
        if not candidate.pk:
            return "保存时据人员登记核实资格，并读取服役年限（入伍至退役日期满周年）和立功受奖记录。"
        person = candidate.person
        candidate.take_registry_facts()
        return (
            f"{person.rank or '军衔未登记'}，入伍 {person.enlisted_on or '未登记'}，退役 {person.discharged_on or '未登记'}，"
            f"安置方式 {person.get_discharge_route_display() or '未登记'}；服役满 {candidate.service_years:.0f} 年；"
            f"一等功 {candidate.first_class_merits} 次、二等功 {candidate.second_class_merits} 次、"
            f"三等功 {candidate.third_class_merits} 次、荣誉称号 {candidate.honours} 次。"
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "batch":
            kwargs["queryset"] = PlacementBatch.objects.filter(state=State.PREPARING)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and _frozen(obj.batch))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and _frozen(obj.batch))

    @admin.display(description="总分")
    def score_shown(self, candidate):
        if candidate.score is not None:
            return candidate.score
        components = selection.score_components(candidate, candidate.batch.rule)
        return sum(c.points for c in components) + sum(a.points for a in candidate.adjustments.all())

    @admin.display(description="评分构成")
    def components_shown(self, candidate):
        if not candidate.pk:
            return "保存后按批次的量化评分办法计算。"
        rows = [(c.label, c.detail, c.points) for c in selection.score_components(candidate, candidate.batch.rule)]
        rows += [("调整", a.reason, a.points) for a in candidate.adjustments.all()]
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            '<table class="score-components"><tr><th>项目</th><th>计算</th><th>得分</th></tr>{}'
            "<tr><th>合计</th><td></td><th>{}</th></tr></table>",
            body,
            self.score_shown(candidate),
        )

    def save_formset(self, request, form, formset, change):
        for adjustment in formset.save(commit=False):
            if adjustment.created_by_id is None:
                adjustment.created_by = request.user
            adjustment.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


@admin.register(PlacementSelection)
class PlacementSelectionAdmin(VersionedAdminMixin, SensitiveQueryMixin, admin.ModelAdmin):
    """The session's choices: made on the session page only; afterwards the report to the unit is recorded here."""

    list_display = ["candidate", "position", "chosen_at", "confirmed_by", "signed", "reported_unit", "reported_on"]
    list_filter = ["candidate__batch", "signed"]
    list_select_related = ["candidate__person", "candidate__batch", "position", "confirmed_by"]
    search_fields = ["candidate__person__name", "position__institution"]
    fields = [
        "candidate",
        "position",
        "chosen_at",
        "confirmed_by",
        "signed",
        "signature_scan",
        "reported_unit",
        "reported_on",
    ]
    readonly_fields = ["candidate", "position", "chosen_at", "confirmed_by", "signed", "signature_scan"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False  # a choice is made in the session, in turn

    def has_delete_permission(self, request, obj=None):
        return False

from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from bureau.admin import ReadOnlyAdmin
from bureau.admin.history import OPERATIONS
from reports.finals import report_close, report_reopen, year_state
from reports.forms import CloseYearForm, ReopenYearForm
from reports.models import AnnualReportRun, Narrative, ReportDownload, ReportYear
from reports.services import narrative_preview, year_words, year_words_fill

FILL_BUTTON = "_fill_words"
CLOSE_PERMISSION = "bureau.close_year"
REOPEN_PERMISSION = "bureau.reopen_year"
CLOSING_MEANS = (
    "定稿后：系统按当前数据生成{year}年全区年度报告（Word 和 Excel），连同报告中的每一个数字保存为定稿版本，"
    "今后随时可以下载；{year}年的各项记录随即锁定，在管理后台、服务站、接口和导入中都不能再新增、修改或删除。"
    "如需更正，须由有权限的人员（局领导）填写原因解锁；解锁后重新生成的报告会列出与定稿版本相比变化的数字。"
)


def change_history(obj, describe) -> str:
    """Who changed the row, when, and what it held then (newest first): the row's history."""
    if obj is None or obj.pk is None:
        return "—"
    rows = obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    return format_html(
        "<table><thead><tr><th>时间</th><th>修改人</th><th>操作</th><th>内容</th></tr></thead><tbody>{}</tbody></table>",
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{timezone.localtime(row.history_date):%Y-%m-%d %H:%M}",
                    _user_name(row.history_user),
                    OPERATIONS.get(row.history_type, row.history_type),
                    describe(row),
                )
                for row in rows
            ),
        ),
    )


def _user_name(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.username


def part_name(key: str) -> str:
    """开头段, 下一步段, 就业创业导语, or the key of an item's sentence."""
    if key == Narrative.OPENING:
        return "开头段"
    if key == Narrative.CLOSING:
        return "下一步段"
    if key.endswith(Narrative.LEAD):
        app_label = key.removesuffix(Narrative.LEAD)
        config = apps.app_configs.get(app_label)
        return f"{config.verbose_name if config else app_label}导语"
    return "条目文字"


@admin.register(Narrative)
class NarrativeAdmin(admin.ModelAdmin):
    list_display = ["year", "part", "key", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]
    list_filter = ["year"]
    search_fields = ["key", "text"]
    fields = ["year", "key", "text", "preview", "changes", "updated_by", "updated_at"]
    # Staff check their wording against the year's real figures before the report uses it.
    readonly_fields = ["preview", "changes", "updated_by", "updated_at"]

    @admin.display(description="段落名称")
    def part(self, obj):
        return part_name(obj.key)

    @admin.display(description="效果预览/校验")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "保存后显示按本年度数据生成的效果。"
        result = narrative_preview(narrative=obj)
        warnings = format_html_join("", '<p class="errornote">{}</p>', ((w,) for w in result.warnings))
        notes = format_html_join("", '<p class="help">{}</p>', ((n,) for n in result.notes))
        text = format_html("<p>{}</p>", result.text) if result.text else ""
        return format_html("{}{}{}", warnings, notes, text)

    @admin.display(description="修改记录")
    def changes(self, obj):
        return change_history(obj, lambda row: row.text)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReportYear)
class ReportYearAdmin(admin.ModelAdmin):
    """
    One year of the report: its signing date, whether the next year compares with it, and its words
    (opening, each section's lead, closing), filled from the defaults for staff to edit.
    """

    change_form_template = "reports/admin/reportyear_change_form.html"
    # No column queries per row: whether the ledger makes the year complete is on the year's page.
    list_display = ["year", "signing", "records", "words_filled", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]
    actions = ["fill_words"]
    fields = ["year", "signed_on", "records", "recorded", "words", "changes", "updated_by", "updated_at"]
    readonly_fields = ["recorded", "words", "changes", "updated_by", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The year is the row's identity: a wrong year is deleted and added again, not renamed.
        return [*self.readonly_fields, "year"] if obj is not None else self.readonly_fields

    @admin.display(description="落款日期")
    def signing(self, obj):
        return f"{obj.signing_date:%Y-%m-%d}" + ("" if obj.signed_on else "（默认：最后一个工作日）")

    @admin.display(description="下一年度报告是否与本年度对比")
    def recorded(self, obj):
        if obj is None or obj.year is None:
            return "—"
        if obj.records != ReportYear.Records.AUTO:
            return f"{'对比' if obj.is_recorded else '不对比（“上年”栏显示“—”）'}：按人工设定"
        months = obj.ledger_months()
        verdict = "对比" if obj.is_recorded else "不对比（“上年”栏显示“—”）"
        return f"{verdict}：台账中{obj.year}年有{months}个月有资金发放记录"

    @admin.display(description="报告文字")
    def words_filled(self, obj):
        url = reverse("admin:reports_narrative_changelist") + f"?year={obj.year}"
        return format_html('<a href="{}">{}年的报告文字</a>', url, obj.year)

    @admin.display(description="本年度报告文字（开头段、各部分导语、下一步段）")
    def words(self, obj):
        if obj is None or obj.pk is None:
            return "保存后，本年度的开头段、各部分导语和下一步段按默认文字填入，可逐段修改。"
        rows = []
        for part, row in year_words(year=obj.year):
            if row is not None:
                link = reverse("admin:reports_narrative_change", args=[row.pk])
                rows.append((part.name, row.text, link, "修改"))
            elif part.default:
                query = urlencode({"year": obj.year, "key": part.key, "text": part.default})
                link = reverse("admin:reports_narrative_add") + "?" + query
                rows.append((part.name, f"（尚未填入，报告使用默认文字）{part.default}", link, "填写"))
            else:
                query = urlencode({"year": obj.year, "key": part.key})
                link = reverse("admin:reports_narrative_add") + "?" + query
                rows.append((part.name, "（无导语）", link, "填写"))
        table = format_html(
            "<table><thead><tr><th>段落</th><th>文字</th><th></th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", '<tr><td>{}</td><td>{}</td><td><a href="{}">{}</a></td></tr>', rows),
        )
        button = format_html(
            '<p><input type="submit" name="{}" value="保存并为{}年填入默认文字"> '
            '<span class="help">只填入尚无文字的段落，已修改的文字不会被覆盖。</span></p>',
            FILL_BUTTON,
            obj.year,
        )
        return format_html("{}{}", table, button)

    @admin.display(description="修改记录")
    def changes(self, obj):
        return change_history(
            obj,
            lambda row: f"落款日期 {row.signed_on or '默认'}；数据是否完整：{ReportYear.Records(row.records).label}",
        )

    def has_fill_permission(self, request):
        return request.user.has_perm("reports.add_narrative")

    @admin.action(description="为所选年度填入默认文字（不覆盖已修改的文字）", permissions=["fill"])
    def fill_words(self, request, queryset):
        for report_year in queryset:
            self._fill(request, report_year)

    def _fill(self, request, report_year):
        created = year_words_fill(year=report_year.year, by=request.user)
        if created:
            names = "、".join(part.name for part, _ in created)
            self.message_user(request, f"{report_year.year}年已填入默认文字：{names}。", messages.SUCCESS)
        else:
            self.message_user(request, f"{report_year.year}年的各段文字均已填写，未作改动。", messages.INFO)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # A new year starts with the default words, ready to edit.
        if self.has_fill_permission(request):
            self._fill(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if FILL_BUTTON in request.POST and self.has_fill_permission(request):
            self._fill(request, obj)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # --- 定稿 and 解锁 -----------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/close/", view(self.close_view), name="reports_reportyear_close"),
            path("<path:object_id>/reopen/", view(self.reopen_view), name="reports_reportyear_reopen"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra_context = {
                **(extra_context or {}),
                "year_state": year_state(obj.year),
                "may_close": request.user.has_perm(CLOSE_PERMISSION),
                "may_reopen": request.user.has_perm(REOPEN_PERMISSION),
                "reopen_form": ReopenYearForm(auto_id="reopen_%s"),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _year_for(self, request, object_id, permission: str) -> ReportYear:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("没有这个报告年度。")
        return obj

    def _step_page(self, request, obj, *, form, **context):
        return TemplateResponse(
            request,
            "admin/step_confirm.html",
            {**self.admin_site.each_context(request), "opts": self.opts, "obj": obj, "form": form, **context},
            status=400 if form.errors else 200,
        )

    def _back(self, obj):
        return HttpResponseRedirect(reverse("admin:reports_reportyear_change", args=[obj.pk]))

    def close_view(self, request, object_id):
        """定稿: a confirmation page saying what closing means, then the closing (reports.finals.report_close)."""
        obj = self._year_for(request, object_id, CLOSE_PERMISSION)
        state = year_state(obj.year)
        form = CloseYearForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and not state.closed and form.is_valid():
            try:
                final = report_close(year=obj.year, by=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{obj.year}年报告已定稿（第{final.version}版）：已保存 Word 和 Excel 文件及"
                    f"{final.figure_count}个数字，{obj.year}年的记录已锁定。",
                    messages.SUCCESS,
                )
            return self._back(obj)
        return self._step_page(
            request,
            obj,
            form=form,
            title=f"{obj.year}年报告定稿",
            action="定稿",
            summary=state.text,
            message=CLOSING_MEANS.format(year=obj.year),
            refusal=f"{state.text}如需重新定稿，请先解锁。" if state.closed else "",
        )

    def reopen_view(self, request, object_id):
        """解锁: the reason is required; the year's final files stay."""
        obj = self._year_for(request, object_id, REOPEN_PERMISSION)
        state = year_state(obj.year)
        form = ReopenYearForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and state.closed and form.is_valid():
            try:
                report_reopen(year=obj.year, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{obj.year}年已解锁，该年度的记录可以更正；定稿文件仍保留。更正后请重新定稿。",
                    messages.SUCCESS,
                )
            return self._back(obj)
        return self._step_page(
            request,
            obj,
            form=form,
            title=f"解锁{obj.year}年",
            action="解锁",
            summary=state.text,
            message=f"解锁后，{obj.year}年的记录可以再次新增、修改或删除；解锁操作和原因记入审计日志。",
            refusal="" if state.closed else f"{obj.year}年未定稿，无需解锁。",
        )


@admin.register(AnnualReportRun)
class AnnualReportRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "year", "scope", "formats", "status", "requested_by", "created_at", "duration"]
    list_filter = ["status", "year"]
    list_select_related = ["township", "requested_by"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # Township scoping as everywhere else: station users would see their township's runs only.
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="范围", ordering="township")
    def scope(self, obj):
        return obj.scope_name


@admin.register(ReportDownload)
class ReportDownloadAdmin(ReadOnlyAdmin):
    list_display = ["downloaded_at", "user", "run", "final", "file_format"]
    list_filter = ["file_format"]
    list_select_related = ["user", "run__township", "final"]
    date_hierarchy = "downloaded_at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

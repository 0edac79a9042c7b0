"""The admin index's notices: mark the bureau's notices read (bureau.rules.todo_notices)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bureau.roles import reviews_records
from bureau.rules.todo_notices import bureau_notices_read


@require_POST
def notice_read(request):
    """One notice (`pk`) or all of the bureau's unread ones marked read; back to the admin index."""
    if not reviews_records(request.user):
        raise PermissionDenied("只有局机关工作人员可以处理区局的消息提醒。")
    pk = request.POST.get("pk", "").strip()
    if pk and not pk.isdigit():
        return render(request, "400.html", {"message": "消息编号无效。"}, status=400)
    count = bureau_notices_read(by=request.user, pk=int(pk) if pk else None)
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("admin:index")

"""
Chinese, always (issue 23, item 8): DRF's parse and CSRF errors, Django's CSRF failure page
(the portal's and the memorial's), every 4xx/5xx page, and malformed path parameters as 404s.
"""

import re

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.views.defaults import bad_request, page_not_found, permission_denied, server_error
from rest_framework.test import APIClient

from bureau.admin import ScopedAdmin
from bureau.api.exceptions import CSRF_MESSAGE, ENCODING_MESSAGE, JSON_PARSE_MESSAGE
from bureau.views import CSRF_FAILURE_MESSAGE
from tests.bureau.test_api import PERSONS, api

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_malformed_json_is_answered_in_chinese(station_user_a):
    response = api(station_user_a).post(PERSONS, data=b'{"name":', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": JSON_PARSE_MESSAGE}
    assert JSON_PARSE_MESSAGE == "请求内容不是有效的 JSON，请检查格式后重试。"


def test_bad_utf8_is_answered_in_chinese(station_user_a):
    response = api(station_user_a).post(PERSONS, data=b'{"name": "\xff"}', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": ENCODING_MESSAGE}
    assert ENCODING_MESSAGE == "请求内容不是有效的 UTF-8 编码，请以 UTF-8 编码提交。"


def test_an_api_csrf_failure_is_answered_in_chinese(station_user_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(station_user_a)  # a session without the CSRF token: SessionAuthentication refuses

    response = client.post(PERSONS, {"name": "王丙"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": CSRF_MESSAGE}
    assert "CSRF Failed" not in response.content.decode()


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "身份认证信息未提供。"), ({"HTTP_AUTHORIZATION": "Token not-a-token"}, "认证令牌无效。")],
    ids=["no-credentials", "bad-token"],
)
def test_authentication_errors_are_chinese(db, headers, message):
    response = APIClient().get(PERSONS, **headers)

    assert response.status_code == 401
    assert response.json() == {"detail": message}


def test_the_portals_csrf_failure_page_is_chinese_with_403(station_user_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(station_user_a)

    response = client.post("/station/people/new/", {"name": "王丙"})

    assert response.status_code == 403
    content = response.content.decode()
    assert CSRF_FAILURE_MESSAGE in content
    assert "Forbidden" not in content
    assert "DEBUG" not in content


def test_the_memorials_csrf_failure_is_chinese_with_403(db):
    from tests.commemoration.factories import MartyrFactory

    martyr = MartyrFactory()
    client = Client(enforce_csrf_checks=True)

    page = client.post(f"/memorial/martyrs/{martyr.pk}/flower/")
    answer = client.post(f"/memorial/martyrs/{martyr.pk}/flower/", headers={"accept": "application/json"})

    assert page.status_code == 403
    assert CSRF_FAILURE_MESSAGE in page.content.decode()
    assert "DEBUG" not in page.content.decode()
    assert (answer.status_code, answer.json()) == (403, {"detail": CSRF_FAILURE_MESSAGE})


@pytest.mark.parametrize(
    ("handler", "exception", "status", "heading"),
    [
        (bad_request, Exception(), 400, "请求无效"),
        (permission_denied, PermissionDenied(), 403, "无权访问此页面"),
        (page_not_found, Http404(), 404, "页面不存在"),
        (server_error, None, 500, "服务器内部错误"),
    ],
    ids=["400", "403", "404", "500"],
)
def test_every_error_page_is_chinese(db, handler, exception, status, heading):
    request = RequestFactory().get("/somewhere/")
    response = handler(request) if exception is None else handler(request, exception)

    assert response.status_code == status
    content = response.content.decode()
    assert heading in content
    assert not re.search(r"\b(Bad Request|Forbidden|Not Found|Server Error)\b", content)


HISTORY_ADMINS = sorted(
    (model._meta.label, model_admin)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ScopedAdmin) and hasattr(model, "history")
)


@pytest.mark.parametrize("model_admin", [pair[1] for pair in HISTORY_ADMINS], ids=[pair[0] for pair in HISTORY_ADMINS])
def test_a_malformed_history_version_is_a_404_not_a_500(client_for, superuser, model_admin):
    client = client_for(superuser)
    client.raise_request_exception = False
    opts = model_admin.opts

    response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/1/history/abc/")

    assert response.status_code == 404
    assert CHINESE.search(response.content.decode())


def test_the_person_history_version_abc_is_a_404(client_for, superuser, person_a):
    client = client_for(superuser)
    client.raise_request_exception = False

    response = client.get(f"/admin/bureau/person/{person_a.pk}/history/abc/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()

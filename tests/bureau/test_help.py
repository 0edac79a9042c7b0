"""
操作说明: the help pages in Markdown (bureau/help/, each area's help.md), rendered at /help/, linked
from the header of every admin, station and dashboard page to the page of where the user is.
"""

import os
import re
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from bureau.checks import check_area_declarations
from bureau.help.pages import ROLE_PAGES
from bureau.help.rendering import render_file, render_markdown

pytestmark = pytest.mark.django_db

AREAS = {
    "employment": "就业创业",
    "resettlement": "移交安置",
    "pensions": "优待抚恤",
    "support-army": "双拥共建",
    "commemoration": "褒扬纪念",
}
# slug → the page's title: every role's and every area's, and the common messages.
PAGES = {
    **{slug: f"{role}操作说明" for role, slug in ROLE_PAGES.items()},
    **{slug: f"{name}操作说明" for slug, name in AREAS.items()},
    "messages": "常见提示的含义",
}


def help_link(response) -> str:
    """The href of the header's 操作说明 link (the first: a help page's breadcrumbs name the index too)."""
    found = re.findall(r'<a[^>]*href="([^"]*)"[^>]*>操作说明</a>', response.content.decode())
    assert found
    return found[0]


@pytest.mark.parametrize(("slug", "title"), PAGES.items())
def test_every_role_and_area_has_a_help_page_with_its_title_and_sections(client, bureau_user, slug, title):
    client.force_login(bureau_user)

    response = client.get(f"/help/{slug}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html
    sections = re.findall(r'<h2 id="([^"]+)">', html)
    assert len(sections) >= 2
    # The table of contents links to each section's anchor.
    assert all(f'href="#{quote(anchor)}"' in html for anchor in sections)


def test_a_station_user_reads_the_area_pages_in_the_portals_look_and_its_index_leads_to_the_station_parts(
    client, station_user_a
):
    client.force_login(station_user_a)

    index = client.get("/help/").content.decode()
    page = client.get("/help/employment/")

    assert index.index("/help/station-staff/") < index.index("/help/employment/")
    assert index.count("（服务站部分）") == 5  # every area's page has a section for the stations
    assert '<a href="/help/employment/#%E6%9C%8D%E5%8A%A1%E7%AB%99%E6%80%8E%E4%B9%88%E5%81%9A">就业创业</a>' in index
    assert page.status_code == 200
    assert '<h2 id="服务站怎么做">服务站怎么做</h2>' in page.content.decode()
    assert 'id="site-name"' not in page.content.decode()  # not the admin's frame


def test_the_index_puts_the_users_role_first_then_the_five_areas(client, bureau_user):
    client.force_login(bureau_user)

    html = client.get("/help/").content.decode()

    positions = [html.index(f'href="/help/{slug}/"') for slug in ["bureau-staff", *AREAS]]
    assert positions == sorted(positions)
    assert 'id="site-name"' in html  # bureau staff read it in the admin's frame


@pytest.mark.parametrize(
    ("persona", "page", "target"),
    [
        ("bureau_user", "/admin/", "/help/bureau-staff/"),
        ("bureau_user", "/admin/employment/jobfair/", "/help/employment/"),
        ("bureau_user", "/admin/support_army/", "/help/support-army/"),
        ("auditor", "/admin/", "/help/auditor/"),
        ("secadmin", "/admin/", "/help/security-admin/"),
        ("station_user_a", "/station/", "/help/station-staff/"),
        ("station_user_a", "/station/pensions/visits/", "/help/pensions/"),
        ("leader", "/dashboard/", "/help/leadership/"),
        ("bureau_user", "/help/pensions/", "/help/"),
    ],
)
def test_every_header_links_to_the_help_of_where_the_user_is(request, client, persona, page, target):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(page)

    assert response.status_code == 200
    assert help_link(response) == target


def test_raw_html_in_a_help_file_is_shown_as_text_and_no_script_link_is_made():
    crafted = (
        "# 标题\n\n## 第一步\n\n<script>alert('x')</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n[点我](javascript:alert(1))\n\n| 列 | 值 |\n|---|---|\n| a | b |\n'
    )

    rendered = render_markdown(crafted)

    assert rendered.title == "标题"
    assert "<script" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in rendered.html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', rendered.html).__repr__()
    assert '<h2 id="第一步">第一步</h2>' in rendered.html
    assert "<td>a</td>" in rendered.html  # tables are on


def test_a_help_file_is_parsed_once_until_it_changes(tmp_path):
    path = tmp_path / "help.md"
    path.write_text("# 一\n\n## 甲\n", encoding="utf-8")

    first = render_file(path)
    assert render_file(path) is first

    path.write_text("# 二\n\n## 乙\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert render_file(path).title == "二"


def test_an_unknown_page_is_a_404_in_chinese(client, bureau_user):
    client.force_login(bureau_user)

    response = client.get("/help/no-such-page/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize("url", ["/help/", "/help/employment/"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("station:login"))


def test_the_five_areas_take_their_help_md_by_default_and_the_kit_area_has_none():
    for label in ["employment", "resettlement", "pensions", "support_army", "commemoration"]:
        config = apps.get_app_config(label)
        assert config.help == "help.md"
        assert "help" in config.defaulted_paths
    assert apps.get_app_config("kit_area").help == ""
    assert [message for message in check_area_declarations(None) if message.id == "bureau.E110"] == []


def test_a_declared_help_file_that_does_not_exist_fails_the_check(monkeypatch):
    config = apps.get_app_config("kit_area")
    monkeypatch.setattr(config, "help", "hilfe.md")

    with pytest.raises(SystemCheckError, match="bureau.E110"):
        call_command("check")
    errors = [message for message in check_area_declarations([config]) if message.id == "bureau.E110"]

    assert len(errors) == 1
    assert errors[0].msg == (
        "Area app 'kit_area' (tests.kit_area.apps.KitAreaConfig) declares help = 'hilfe.md', "
        f"which is no file in {config.path}."
    )

"""
Schemathesis against the API schema, in-process through the WSGI app, on the small demo district
(`demo_district`, seeded once per process: tests/demo_district.py).

Every operation of `/api/v1/` gets generated requests, writes included, first as the bureau
clerk and then as the station of one township (whose reads and writes are scoped). Each
response must not be a 5xx, must have a documented status code, content type and body.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from bureau.demo.writers import CLERK_USERNAME
from bureau.models import User

SCHEMA_PATH = "/api/schema/?format=json"
STATION_USERNAME = "station_dongcheng"
# bureau.wsgi refuses the development SECRET_KEY without DEBUG, as the tests run; the app is the same.
application = get_wsgi_application()
# The coverage phase sends every boundary case of every parameter (hundreds per write): minutes per
# operation. The schema's examples and the bounded random cases (positive and negative) remain.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module", autouse=True)
def requests_keep_the_test_transaction():
    """
    Django closes the connection at the end of a request when it is not in autocommit;
    inside the test's transaction that would roll the seed back. The test client avoids
    it the same way (django.test.client), by not listening for these signals.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """
    Schemathesis 4.32.5 (the latest) renames the test node per operation through `node._nodeid`,
    which pytest 9.2 no longer has; without it the lazily loaded schema's test fails at once.
    """
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture(params=[CLERK_USERNAME, STATION_USERNAME])
def api_user(request, demo_district, db) -> User:
    return User.objects.get(username=request.param)


@pytest.fixture
def api_token(api_user) -> Token:
    return Token.objects.create(user=api_user)


@pytest.fixture
def api_schema(api_token):
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=CONFIG, headers=auth_headers(api_token))


@pytest.fixture
def visible_ids(api_token):
    """`visible_ids("/api/v1/persons/")`: ids on the first page of that list as the user sees it (none if refused)."""
    client = Client(application)
    found = {}

    def ids(list_path: str) -> list[int]:
        if list_path not in found:
            response = client.get(list_path, headers=auth_headers(api_token))
            found[list_path] = [row["id"] for row in response.json["results"]] if response.status_code == 200 else []
        return found[list_path]

    return ids


def auth_headers(token: Token) -> dict:
    return {"Authorization": f"Token {token.key}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow  # every API operation with up to 10 generated requests, per user: minutes of CPU
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_documented(case, api_token, visible_ids):
    # A random id almost never names a record, and every read, write and delete would stop at 404:
    # a non-negative one is turned into a record the user sees (negative ids and non-numbers stay).
    record_id = (case.path_parameters or {}).get("id")
    if type(record_id) is int and record_id >= 0 and (ids := visible_ids(case.operation.path.split("{")[0])):
        case.path_parameters["id"] = ids[record_id % len(ids)]
    # DELETE /auth/token/ signs out: the next case signs in again with the same key.
    Token.objects.get_or_create(key=api_token.key, defaults={"user": api_token.user})
    case.call_and_validate(headers=auth_headers(api_token), checks=CHECKS)

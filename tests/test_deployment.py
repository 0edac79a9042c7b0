"""
The production files agree with each other and with settings: docker-compose.yml, the
Dockerfile, requirements.txt and bureau/settings.py. No Docker engine is needed.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
# What an operator puts in .env before `docker compose up`.
OPERATOR_ENV = {
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "POSTGRES_PASSWORD": "db-password",
    "PORTAL_HOST": "portal.example.org",
}


def interpolate(value, variables: dict[str, str]):
    """Docker Compose's ${NAME}, ${NAME:?message} and ${NAME:-default}, enough for our file."""

    def replace(match):
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if variables.get(name):
            return variables[name]
        if operator == ":-":
            return argument
        raise KeyError(f"compose needs {name}: {argument}")

    if isinstance(value, str):
        return re.sub(r"\$\{(\w+)(?:(:\?|:-)([^}]*))?\}", replace, value)
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def compose() -> dict:
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return interpolate(raw, OPERATOR_ENV)


def command_of(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def settings_env_names() -> set[str]:
    source = (ROOT / "bureau" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def test_settings_env_names_are_found():
    # Guards the regex below: if it found nothing, the next tests would prove nothing.
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"} <= settings_env_names()


def test_compose_has_the_six_services(compose):
    assert set(compose["services"]) == {"db", "redis", "cache", "web", "worker", "beat"}


def test_compose_refuses_to_start_without_the_secrets():
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for name in OPERATOR_ENV:
        with pytest.raises(KeyError, match=name):
            interpolate(raw, {key: value for key, value in OPERATOR_ENV.items() if key != name})


def test_app_services_share_the_database_and_broker_of_the_db_and_redis_services(compose):
    services = compose["services"]
    db = services["db"]["environment"]
    # Alike but for web's statement timeout (test_statement_timeout_is_set_for_web_requests_only).
    environments = [
        {key: value for key, value in services[name]["environment"].items() if key != "STATEMENT_TIMEOUT_MS"}
        for name in APP_SERVICES
    ]
    assert all(env == environments[0] for env in environments)
    database = urlsplit(environments[0]["DATABASE_URL"])
    assert database.scheme in ("postgres", "postgresql")
    assert database.hostname == "db"
    assert (database.username, database.password) == (db["POSTGRES_USER"], db["POSTGRES_PASSWORD"])
    assert database.path.lstrip("/") == db["POSTGRES_DB"]
    broker = urlsplit(environments[0]["REDIS_URL"])
    assert (broker.scheme, broker.hostname) == ("redis", "redis")


def test_app_services_wait_for_healthy_db_and_redis(compose):
    services = compose["services"]
    assert services["db"]["healthcheck"]["test"]
    assert services["redis"]["healthcheck"]["test"]
    assert services["cache"]["healthcheck"]["test"]
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert {depends_on[dependency]["condition"] for dependency in ("db", "redis", "cache")} == {"service_healthy"}


def redis_options(service: dict) -> dict[str, str]:
    words = service["command"]
    assert words[0] == "redis-server"
    return {words[i].removeprefix("--"): words[i + 1] for i in range(1, len(words) - 1, 2)}


def test_the_broker_and_the_cache_are_separate_redis_servers(compose):
    """The broker never evicts a task message; the cache is bounded and evicts (maxmemory-policy is per server)."""
    services = compose["services"]
    environment = services["web"]["environment"]
    broker, cache = urlsplit(environment["REDIS_URL"]), urlsplit(environment["CACHE_REDIS_URL"])
    assert (broker.hostname, cache.hostname) == ("redis", "cache")
    broker_options = redis_options(services["redis"])
    assert broker_options["maxmemory-policy"] == "noeviction"
    assert broker_options["appendonly"] == "yes"
    cache_options = redis_options(services["cache"])
    assert cache_options["maxmemory-policy"] == "allkeys-lru"
    assert cache_options["maxmemory"].endswith("mb")


def test_worker_and_beat_are_health_checked_by_their_heartbeats_and_restarted(compose):
    services = compose["services"]
    for name in ("worker", "beat"):
        assert services[name]["restart"] == "unless-stopped"
        check = services[name]["healthcheck"]
        assert check["test"] == ["CMD", "python", "manage.py", "service_alive", name, "--restart-stalled"]
        assert check["interval"] and check["retries"]
    # Beat runs the scheduler that writes its heartbeat (and the class is importable).
    assert "-S bureau.rules.service_health:BeatScheduler" in command_of(services["beat"])
    from bureau.rules.service_health import BeatScheduler  # noqa: F401


def gunicorn_seconds(command: str, option: str) -> int:
    match = re.search(rf"{option}[ =\"',]+(\d+)", command)
    assert match, f"gunicorn without {option}: {command}"
    return int(match.group(1))


def test_gunicorn_timeouts_are_set_and_longer_than_the_statement_timeout(compose):
    web = compose["services"]["web"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    for command in (command_of(web), cmd):
        assert gunicorn_seconds(command, "--timeout") == 60
        assert gunicorn_seconds(command, "--graceful-timeout") == 30
    assert int(web["environment"]["STATEMENT_TIMEOUT_MS"]) < 60 * 1000


def test_statement_timeout_is_set_for_web_requests_only(compose):
    services = compose["services"]
    assert int(services["web"]["environment"]["STATEMENT_TIMEOUT_MS"]) == 30_000
    for name in ("worker", "beat"):
        assert "STATEMENT_TIMEOUT_MS" not in services[name]["environment"]
    # Nor on web's migrations, which may run longer than any request.
    assert "STATEMENT_TIMEOUT_MS=0 python manage.py migrate" in command_of(services["web"])


def settings_under(environment: dict[str, str], expression: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"import bureau.settings as s; print({expression})"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DEBUG": "1", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_settings_put_the_statement_timeout_on_postgresql_and_the_cache_beside_the_broker():
    postgres = {"DATABASE_URL": "postgres://portal:pw@db:5432/portal", "REDIS_URL": "redis://redis:6379/0"}
    options = settings_under(
        {**postgres, "STATEMENT_TIMEOUT_MS": "30000"}, "s.DATABASES['default']['OPTIONS']['options']"
    )
    assert options == "-c statement_timeout=30000"
    # Unset: no timeout (the worker's and beat's long jobs); on SQLite never.
    assert settings_under(postgres, "'options' in s.DATABASES['default']['OPTIONS']") == "False"
    assert (
        settings_under({"STATEMENT_TIMEOUT_MS": "30000"}, "'options' in s.DATABASES['default']['OPTIONS']") == "False"
    )
    # The cache's Redis: CACHE_REDIS_URL, else the broker's server on the next database.
    assert settings_under(postgres, "s.CACHES['default']['LOCATION'], s.CACHES['progress']['LOCATION']") == (
        "redis://redis:6379/1 redis://redis:6379/1"
    )
    assert settings_under(
        {**postgres, "CACHE_REDIS_URL": "redis://cache:6379/0"}, "s.CACHES['default']['LOCATION']"
    ) == ("redis://cache:6379/0")


def test_web_environment_sets_only_what_settings_read_and_runs_in_production_mode(compose):
    environment = compose["services"]["web"]["environment"]
    unknown = set(environment) - settings_env_names()
    assert not unknown, f"docker-compose.yml sets variables settings.py never reads: {sorted(unknown)}"
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= set(environment)
    assert environment["DEBUG"] in ("0", "False", "false", "off")
    assert environment["SECRET_KEY"] == OPERATOR_ENV["SECRET_KEY"]
    assert "portal.example.org" in environment["ALLOWED_HOSTS"].split(",")


def test_production_environment_passes_the_deploy_checks(compose):
    """`manage.py check --deploy`, which the web service runs before it starts, passes with compose's settings."""
    environment = {key: str(value) for key, value in compose["services"]["web"]["environment"].items()}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_the_development_secret_key():
    """With DEBUG off and no SECRET_KEY, the deploy checks fail and gunicorn's WSGI module will not load."""
    environment = {"PATH": os.environ["PATH"], "DEBUG": "0"}
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert check.returncode != 0
    assert "bureau.E001" in check.stderr
    wsgi = subprocess.run(
        [sys.executable, "-c", "import bureau.wsgi"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert wsgi.returncode != 0
    assert "ImproperlyConfigured" in wsgi.stderr


def test_web_checks_migrates_and_serves_the_wsgi_app_with_gunicorn(compose):
    command = command_of(compose["services"]["web"])
    assert "manage.py check --deploy" in command
    assert "manage.py migrate" in command
    assert re.search(r"gunicorn bureau\.wsgi\b", command)
    assert command.index("check --deploy") < command.index("migrate") < command.index("gunicorn")
    assert "/healthz" in command_of({"command": compose["services"]["web"]["healthcheck"]["test"]})


def test_worker_and_beat_run_celery_for_the_bureau_app(compose):
    assert command_of(compose["services"]["worker"]).startswith("celery -A bureau worker")
    assert command_of(compose["services"]["beat"]).startswith("celery -A bureau beat")


def test_media_files_live_on_a_volume(compose):
    media_root = compose["services"]["web"]["environment"]["MEDIA_ROOT"]
    for name in ("web", "worker"):
        mounts = [volume.split(":")[1] for volume in compose["services"][name]["volumes"]]
        assert media_root in mounts


def test_dockerfile_builds_python_3_11_from_requirements_txt():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11(\.\d+)?-slim", dockerfile, re.MULTILINE)
    assert re.search(r"pip install .*-r requirements\.txt", dockerfile)
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE), "the image runs as a non-root user"
    assert "gunicorn" in dockerfile and "bureau.wsgi" in dockerfile


def test_requirements_pin_exact_versions_and_django_5_2():
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines
    for line in lines:
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[A-Za-z0-9_,\-]+\])?==[0-9][A-Za-z0-9.]*", line), line
    assert any(re.fullmatch(r"Django==5\.2\.\d+", line) for line in lines)

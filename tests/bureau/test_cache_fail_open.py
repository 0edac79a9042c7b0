"""
A progress cache that does not answer (Redis down) never fails a job: an import's progress notes
are skipped and its page shows the row's own count (both logged). The cache is pointed at a port
where nothing listens. (The memorial's rate limit: tests/commemoration/test_shared_rate_limit.py.)
"""

import logging

import pytest
from django.conf import settings
from django.test import override_settings

from bureau.importexport import jobs
from bureau.models import ImportJob, Person
from tests.bureau.test_import_export import person_row, xlsx_file
from tests.bureau.test_import_jobs import confirm, upload

pytestmark = pytest.mark.django_db

DEAD_REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


def test_an_import_runs_to_the_end_with_the_progress_cache_down(client_for, bureau_user, township_a, caplog):
    client = client_for(bureau_user)
    rows = [person_row(n, township_a) for n in range(1, jobs.PROGRESS_EVERY + 2)]  # one progress note due

    with (
        override_settings(CACHES={**settings.CACHES, "progress": DEAD_REDIS}),
        caplog.at_level(logging.WARNING, "bureau.importexport.jobs"),
    ):
        upload(client, xlsx_file(rows))
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.VALIDATED, job.errors
        assert (job.rows_total, job.rows_done) == (501, 501)

        # A running job's page reads its note: the row's own count when the cache does not answer.
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATING, rows_done=120)
        job.refresh_from_db()
        assert jobs.status_of(job)["rows_done"] == 120
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATED, rows_done=501)

        confirm(client, job)
        job.refresh_from_db()

    assert job.status == ImportJob.Status.DONE, job.errors
    assert Person.objects.count() == 501
    assert "进度缓存不可用，本次进度未记录。" in caplog.text
    assert "进度缓存不可用，按已保存的进度显示。" in caplog.text

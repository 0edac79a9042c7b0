"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from bureau.base.datastack import reserved_stack

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

# Each request with room on the frame stack: without it, pages paid a map and unmap of memory per call (bureau.base.datastack).
application = reserved_stack(get_wsgi_application())

from django.conf import settings  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

# A production server never starts with the public development key (see bureau.checks).
if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("DEBUG 已关闭，但 SECRET_KEY 仍是开发用密钥；请设置环境变量 SECRET_KEY。")

"""The WSGI application the benchmarks serve under gunicorn: pharmagarde.wsgi with
bench/urls.py (the project's URLs plus the bare view /bench/bare/).

Built when a gunicorn worker imports this module, before it accepts a request, as
pharmagarde.wsgi is in production: a worker recycled by --max-requests does not make its
first request wait for Django's start.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pharmagarde.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.urls"

from pharmagarde.wsgi import application  # noqa: E402, F401

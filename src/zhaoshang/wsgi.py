"""WSGI entry point for gunicorn: ``gunicorn zhaoshang.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

from zhaoshang import vardir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
vardir.prepare()
application = get_wsgi_application()

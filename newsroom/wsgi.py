"""WSGI entry point: `gunicorn newsroom.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

from newsroom.storage import open_media_storage  # noqa: E402 - needs the settings loaded

open_media_storage()

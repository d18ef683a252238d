"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_asgi_application()

from newsroom.storage import open_media_storage  # noqa: E402 - needs the settings loaded

open_media_storage()

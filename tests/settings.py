"""Settings for the test suite: production settings with test-only secrets filled in."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from newsroom.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    # Local files, whatever NEWSROOM_MEDIA_S3_BUCKET says: the tests of the bucket start an
    # S3 server of their own (tests/s3.py).
    "default": {"BACKEND": "newsroom.storage.CleanFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded files go to a throw-away folder (removed by tests/conftest.py).
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="newsroom-test-media-"))

# Serve static files from the apps' folders, as in development: no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Pages are rendered on every request unless a test turns the page cache on
# (tests/test_pagecache.py); each test starts with an empty cache (tests/conftest.py).
NEWSROOM_PAGE_CACHE_SECONDS = 0
# The suite's own cache is this process's memory, whatever REDIS_URL says (the two-server
# test, tests/test_two_servers.py, gives its servers Redis).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process: the versions live in that cache too, so the query budgets count only the
# pages' own queries. The tests of processes that share versions through the database
# start real processes with the default settings (tests/test_freshness.py), and
# tests/test_content_versions.py runs the database store in this process.
NEWSROOM_CONTENT_VERSIONS = "cache"

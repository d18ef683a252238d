"""File storage that leaves nothing behind when a write fails (a full disk, a quota), and
the media storage made ready when a process starts."""

import contextlib
import logging
import os

from django.core.files.storage import FileSystemStorage, default_storage

logger = logging.getLogger(__name__)


class CleanFileSystemStorage(FileSystemStorage):
    """Django's FileSystemStorage, except that a file whose writing fails half-way is
    removed before the error goes on: no truncated picture stays in MEDIA_ROOT."""

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except OSError as error:
            # Django creates the file exclusively (O_EXCL), so what is there is ours.
            with contextlib.suppress(OSError):
                os.remove(self.path(name))
            logger.error("Could not store %s: %s", name, error)
            raise


def open_media_storage():
    """Make the media storage and its client now, as the process starts: on S3, importing
    boto3 and making its client takes most of a second, which the first reader of a page
    with a picture would otherwise wait for (and with it, the first page after an edit)."""
    getattr(default_storage, "connection", None)

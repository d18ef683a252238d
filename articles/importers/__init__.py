"""The import pipeline: one module per format, each yielding ImportItem objects that
`articles.services.import_batch` writes."""

from articles.importers.base import (
    FailedItem,
    Importer,
    ImportItem,
    SourceError,
    detect_format,
)
from articles.importers.feed import FeedImporter
from articles.importers.html import HtmlImporter
from articles.importers.jsonl import JsonLinesImporter
from articles.importers.wxr import WxrImporter

IMPORTERS: dict[str, type[Importer]] = {
    "wxr": WxrImporter,
    "feed": FeedImporter,
    "jsonl": JsonLinesImporter,
    "html": HtmlImporter,
}


def get_importer(source: str, *, format: str | None = None, options: dict | None = None):
    """The importer for `source`, its format given or detected from the content."""
    name = format or detect_format(source)
    return IMPORTERS[name](source, options=options)


__all__ = [
    "IMPORTERS",
    "FailedItem",
    "ImportItem",
    "Importer",
    "SourceError",
    "get_importer",
]

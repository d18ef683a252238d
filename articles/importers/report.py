"""What the import commands print, in one place: the progress bar and the summary line."""

import time

from articles.services import ImportResult


def summary_line(counts: dict) -> str:
    """ "created 3, updated 0, unchanged 1, duplicates 0, failed 1" from outcome counts."""
    return (
        f"created {counts[ImportResult.CREATED]}, updated {counts[ImportResult.UPDATED]}, "
        f"unchanged {counts[ImportResult.UNCHANGED]}, "
        f"duplicates {counts[ImportResult.DUPLICATE]}, failed {counts[ImportResult.FAILED]}"
    )


class Progress:
    """A one-line progress bar (count, rate, ETA) redrawn in place; only for terminals."""

    WIDTH = 24

    def __init__(self, stream, importer):
        self.stream = stream
        self.importer = importer
        self.started = time.monotonic()
        self.last_drawn = 0.0

    def clear(self) -> None:
        """Make room for a message; the bar is drawn again on the next update."""
        self.stream.write("\r\x1b[K", ending="")
        self.stream.flush()
        self.last_drawn = 0.0

    def update(self, count: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last_drawn < 0.1:
            return
        self.last_drawn = now
        elapsed = max(now - self.started, 1e-6)
        rate = count / elapsed
        fraction = 1.0 if final else self.importer.progress()
        if fraction:
            filled = int(self.WIDTH * fraction)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            remaining = elapsed * (1 - fraction) / fraction
            eta = time.strftime("%H:%M:%S", time.gmtime(remaining))
            line = f"[{bar}] {fraction:4.0%} {count} items {rate:.1f}/s ETA {eta}"
        else:
            line = f"{count} items {rate:.1f}/s"
        self.stream.write(f"\r{line}\x1b[K", ending="\n" if final else "")
        self.stream.flush()

"""Make the missing renditions of every stored picture.

    manage.py make_renditions          # a summary line
    manage.py make_renditions -v 2     # and each picture that needed some

New pictures get their renditions when they are stored (newsroom/uploads.py); this is for
pictures stored before, or after a width was added to newsroom/images.py. The pictures are
those of every model's SafeImageField, found through the app registry. A rendition already
in the storage is left alone, so the command can run again, or in two processes at once
(if both store the same rendition, one copy is kept).
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from newsroom.images import make_renditions
from newsroom.uploads import SafeImageField


def picture_fields():
    """(model, field) of every SafeImageField of the installed apps."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # its concrete model lists the same pictures
        for field in model._meta.concrete_fields:
            if isinstance(field, SafeImageField):
                yield model, field


def stored_pictures(model, field):
    """(name, focal point) of each stored picture; the focal point is None unless the
    field's files tell one (newsroom/images.py: crops keep it)."""
    stored = (
        model._base_manager.exclude(**{f"{field.name}__isnull": True})
        .exclude(**{field.name: ""})
        .order_by(field.name)
    )
    if isinstance(getattr(field.attr_class, "focus", None), property):
        for instance in stored.iterator():
            picture = getattr(instance, field.name)
            yield picture.name, picture.focus
    else:
        for name in stored.values_list(field.name, flat=True).distinct().iterator():
            yield name, None


class Command(BaseCommand):
    help = (
        "Make the renditions pages ask for of every stored picture that lacks some. "
        "Safe to run again."
    )

    def handle(self, *args, verbosity, **options):
        pictures = made = present = failed = 0
        for model, field in picture_fields():
            for name, focus in stored_pictures(model, field):
                pictures += 1
                outcome = make_renditions(field.storage, name, focus=focus)
                made += outcome.made
                present += outcome.present
                if outcome.error:
                    failed += 1
                    if verbosity >= 1:
                        self.stderr.write(f"{model._meta.label} {name}: {outcome.error}")
                elif verbosity >= 2 and outcome.made:
                    self.stdout.write(f"{model._meta.label} {name}: {outcome.made} made")
        if verbosity >= 1:
            style = self.style.WARNING if failed else self.style.SUCCESS
            self.stdout.write(
                style(
                    f"pictures {pictures}, renditions made {made}, already there {present}, "
                    f"pictures failed {failed}"
                )
            )
        if failed:
            raise CommandError(f"{failed} picture(s) could not be read.", returncode=1)

from django.db import migrations


class Migration(migrations.Migration):
    """The article's own picture fields go, now that their pictures are in the library."""

    dependencies = [
        ("articles", "0009_move_pictures"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='article',
            name='image',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_alt',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_alt_ar',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_alt_en',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_caption',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_caption_ar',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_caption_en',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_credit',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_height',
        ),
        migrations.RemoveField(
            model_name='article',
            name='image_width',
        ),
    ]

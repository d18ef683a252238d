"""Demo content for the social app: the four accounts the legacy page links in its header.

The addresses use the real network domains with a fictional account name; they are only
links, never fetched. Loading twice changes nothing, and an account an editor changed in
the admin is left as it is.
"""

from django.db import transaction

from social.models import Network, Placement, SocialLink

DEMO_LINKS = [
    # network, address, Arabic label, English label
    (Network.FACEBOOK, "https://www.facebook.com/newsroom.example", "فيسبوك", "Facebook"),
    (Network.X, "https://x.com/newsroom_example", "إكس (تويتر)", "X (Twitter)"),
    (Network.YOUTUBE, "https://www.youtube.com/@newsroom.example", "يوتيوب", "YouTube"),
    (Network.TELEGRAM, "https://t.me/newsroom_example", "تيليغرام", "Telegram"),
]


@transaction.atomic
def load():
    """Create the demo accounts that are missing. Returns how many were created."""
    created_count = 0
    for order, (network, url, label_ar, label_en) in enumerate(DEMO_LINKS, start=1):
        link, created = SocialLink.objects.get_or_create(
            network=network,
            defaults={
                "url": url,
                "label_ar": label_ar,
                "label_en": label_en,
                "order": order * 10,
                "placement": Placement.BOTH,
            },
        )
        if created:
            link.full_clean()
        created_count += created
    return created_count

from django.urls import path, register_converter

from articles import feeds, views


class UnicodeSlugConverter:
    """Slugs that keep Arabic letters (Django's `slug` converter is ASCII only)."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("most-read/", views.MostReadView.as_view(), name="most-read"),
    path("read/<int:pk>/", views.read_beacon, name="read"),
    path("pages/<uslug:slug>/", views.PageView.as_view(), name="page"),
    # Feeds come before the section and article patterns ("feed" is a reserved slug).
    path("feed/", feeds.site_rss, name="feed"),
    path("feed/atom/", feeds.site_atom, name="feed-atom"),
    path("tag/<uslug:slug>/feed/", feeds.tag_rss, name="tag-feed"),
    path("tag/<uslug:slug>/feed/atom/", feeds.tag_atom, name="tag-feed-atom"),
    path("<uslug:slug>/feed/", feeds.section_rss, name="section-feed"),
    path("<uslug:slug>/feed/atom/", feeds.section_atom, name="section-feed-atom"),
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path(
        "<uslug:section>/<int:pk>/<uslug:slug>/", views.ArticleDetailView.as_view(), name="detail"
    ),
    path("<uslug:section>/<int:pk>/", views.ArticleDetailView.as_view(), name="detail-short"),
    path("<uslug:slug>/", views.SectionView.as_view(), name="section"),
]

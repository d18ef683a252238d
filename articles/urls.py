from django.urls import path, register_converter

from articles import views


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
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path(
        "<uslug:section>/<int:pk>/<uslug:slug>/", views.ArticleDetailView.as_view(), name="detail"
    ),
    path("<uslug:section>/<int:pk>/", views.ArticleDetailView.as_view(), name="detail-short"),
    path("<uslug:slug>/", views.SectionView.as_view(), name="section"),
]

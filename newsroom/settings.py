"""Settings for Newsroom, read from the environment.

Development (`make run`) sets DJANGO_DEBUG=1; everything else defaults to
production behaviour, where a missing secret key or host list stops start-up.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def s3_media_storage(environ):
    """STORAGES["default"] for uploaded pictures in the S3-compatible bucket that `environ`
    names (NEWSROOM_MEDIA_S3_*), or None. Credentials are boto3's own: AWS_ACCESS_KEY_ID
    and AWS_SECRET_ACCESS_KEY, or the machine's role; never a setting."""
    if not environ.get("NEWSROOM_MEDIA_S3_BUCKET"):
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["NEWSROOM_MEDIA_S3_BUCKET"],
            "endpoint_url": environ.get("NEWSROOM_MEDIA_S3_ENDPOINT") or None,  # not AWS
            "region_name": environ.get("NEWSROOM_MEDIA_S3_REGION") or None,
            "custom_domain": environ.get("NEWSROOM_MEDIA_DOMAIN") or None,  # a CDN in front
            # Public pictures: stable, cacheable URLs without signatures.
            "querystring_auth": False,
            # Names are random or carry a digest of the source, so a stored file never
            # changes: browsers and the CDN may keep it for a year.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }


def media_origins(environ):
    """Where browsers fetch the bucket's pictures from, for the Content-Security-Policy: the
    CDN's domain, else the endpoint's origin. None is known for AWS's own addresses: list
    the bucket's in DJANGO_CSP_IMG_SRC."""
    if not environ.get("NEWSROOM_MEDIA_S3_BUCKET"):
        return []
    if environ.get("NEWSROOM_MEDIA_DOMAIN"):
        return ["https://" + environ["NEWSROOM_MEDIA_DOMAIN"].split("/")[0]]
    if environ.get("NEWSROOM_MEDIA_S3_ENDPOINT"):
        endpoint = urlsplit(environ["NEWSROOM_MEDIA_S3_ENDPOINT"])
        return [f"{endpoint.scheme}://{endpoint.netloc}"]
    return []


def read_development_env(environ, path):
    """Add the KEY=VALUE lines of `path` (the `.env` that `make run` writes: DJANGO_DEBUG=1,
    a generated secret key and the demo accounts' password) to `environ`, without
    overriding it, so that every `manage.py` command works in a development checkout. A
    configured environment never reads it: not when it sets DJANGO_DEBUG (on or off) or
    DJANGO_SECRET_KEY (production, the tests, the benchmarks), nor when the file does not
    turn DJANGO_DEBUG on itself."""
    if environ.get("DJANGO_DEBUG") or environ.get("DJANGO_SECRET_KEY") or not path.is_file():
        return
    values = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#"):
            values[key.strip()] = value.strip()
    if values.get("DJANGO_DEBUG", "").lower() not in {"1", "true", "yes", "on"}:
        return
    for key, value in values.items():
        environ.setdefault(key, value)


read_development_env(os.environ, BASE_DIR / ".env")

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production. "
            "For local development, run `make run` once (it writes a .env file with "
            "DJANGO_DEBUG=1 and a secret key) or set DJANGO_DEBUG=1."
        )
    SECRET_KEY = "development-only-insecure-key"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set. List the site's host names, comma separated."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    # Django's admin with optional two-factor login (newsroom/admin.py).
    "newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_prose_editor",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # Revisions of articles (the editorial desk, articles/desk.py).
    "reversion",
    "newsroom",
    "articles",
    "ads",
    "social",
]

MIDDLEWARE = [
    # Before anything reads the query string: too many parameters is a 400, even under DEBUG.
    "newsroom.middleware.QueryLimitMiddleware",
    # Then: a cached page for a reader costs no other middleware. It is kept with the
    # headers the middleware below added (security headers, the Content-Security-Policy).
    "newsroom.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.PermissionsPolicyMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost, so it sees a 404 before the others turn it into something else.
    "articles.middleware.LegacyURLRedirectMiddleware",
    # Last: answers 503 with a static page while the database is unreachable.
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    # After the authentication middleware, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: wait for a writer instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def redis_cache(location, prefix):
    """The cache on the Redis server at `location`, its keys under `prefix`."""
    return {
        # Redis down: the site keeps serving without cache and logs it
        # (newsroom/resilient_cache.py), waiting at most half a second for the server.
        "BACKEND": "newsroom.resilient_cache.ResilientRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": redis_cache(
            os.environ["REDIS_URL"], os.environ.get("NEWSROOM_CACHE_PREFIX", "newsroom")
        )
    }
else:
    # Each process's own memory. Every teaser and page is an entry: Django's default of 300
    # entries is culled within seconds under load, and pages are then rendered again.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# Where the content versions live (newsroom/cache.py), so that every process of the site,
# commands and cron jobs too, sees every change: "cache" (the shared cache: Redis) or
# "database" (the default without Redis, where each process caches in its own memory).
NEWSROOM_CONTENT_VERSIONS = os.environ.get("NEWSROOM_CONTENT_VERSIONS") or (
    "cache" if os.environ.get("REDIS_URL") else "database"
)
if NEWSROOM_CONTENT_VERSIONS not in {"cache", "database"}:
    raise ImproperlyConfigured('NEWSROOM_CONTENT_VERSIONS must be "cache" or "database".')

# Folded into every cache key; a digest of the code and templates when empty
# (newsroom/cache.py release()).
NEWSROOM_RELEASE = os.environ.get("NEWSROOM_RELEASE", "")
# How long a process trusts the content versions it read (newsroom/cache.py): a change made
# in one process reaches the others' caches within this many seconds.
NEWSROOM_VERSION_CHECK_SECONDS = float(os.environ.get("NEWSROOM_VERSION_CHECK_SECONDS", "0.25"))

# Whole pages for anonymous readers (newsroom/pagecache.py): kept at most this long (0 turns
# the page cache off), and invalidated at once by any change to these content versions.
NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSROOM_PAGE_CACHE_SECONDS", "600"))
# "withdrawn" (a public story taken off the site; it bumps "articles" too) is read with
# them, so the most read lists, kept under it, cost no round trip of their own.
NEWSROOM_PAGE_CACHE_VERSIONS = ("articles", "ads", "social", "withdrawn")
# The query parameters pages read (lists, search, sitemap pages): the page cache keys on
# these only.
NEWSROOM_PAGE_CACHE_QUERY_PARAMS = ("page", "q", "section", "date_from", "date_to", "p")
# Each process also keeps the pages it served lately, up to this many megabytes, in its own
# memory (exact too: their keys hold the content versions).
NEWSROOM_PAGE_CACHE_PROCESS_MB = int(os.environ.get("NEWSROOM_PAGE_CACHE_PROCESS_MB", "64"))
# How long a CDN may keep a page (s-maxage), and serve it stale while it fetches a new one.
NEWSROOM_CDN_SECONDS = int(os.environ.get("NEWSROOM_CDN_SECONDS", "5"))
NEWSROOM_CDN_STALE_SECONDS = int(os.environ.get("NEWSROOM_CDN_STALE_SECONDS", "30"))

AUTHENTICATION_BACKENDS = [
    # Refuses logins from a locked-out user name or address before checking the password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Arabic is the default edition (no URL prefix), English lives under /en/.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Baghdad")
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "ar"
MODELTRANSLATION_LANGUAGES = ("ar", "en")
# Served from our own static files: modeltranslation's default is a public CDN.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    # Uploaded pictures: in an S3-compatible bucket when NEWSROOM_MEDIA_S3_BUCKET is set (the
    # app servers of several machines share it), else in MEDIA_ROOT, through a
    # FileSystemStorage that removes a half-written file when the disk is full.
    "default": s3_media_storage(os.environ)
    or {"BACKEND": "newsroom.storage.CleanFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Site presentation (see articles/dates.py for the date conventions).
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "")
# "levantine": كانون الثاني، شباط… (Iraq, Syria, Lebanon); "egyptian": يناير، فبراير…
NEWSROOM_MONTH_NAMES = os.environ.get("NEWSROOM_MONTH_NAMES", "levantine")
# The Hijri (Umm al-Qura) date beside the Gregorian one, in the masthead and on articles.
NEWSROOM_HIJRI_DATES = env_bool("NEWSROOM_HIJRI_DATES", default=True)
# "western": 0-9; "arabic-indic": ٠-٩
NEWSROOM_DIGITS = os.environ.get("NEWSROOM_DIGITS", "western")
# The public address of the site (e.g. https://news.example), used for the absolute links
# of link previews and share buttons; when empty they are built from the request.
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "").rstrip("/")
# The link-preview picture of pages without one of their own: a static file path or an
# absolute URL, 1200×630.
NEWSROOM_OG_DEFAULT_IMAGE = os.environ.get("NEWSROOM_OG_DEFAULT_IMAGE", "social/og-default.png")
# The demo accounts' password (`manage.py loaddemo`): `make run` writes one into .env, so
# that every later start prints it again; otherwise each new set of accounts gets its own.
NEWSROOM_DEMO_PASSWORD = os.environ.get("NEWSROOM_DEMO_PASSWORD", "")

# Production hardening; `manage.py check --deploy` is expected to be clean with DEBUG off.
SESSION_COOKIE_HTTPONLY = True
# Only staff log in: a session lasts one working day at most and ends with the browser.
SESSION_COOKIE_AGE = int(float(os.environ.get("DJANGO_SESSION_HOURS", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
# Both are choices, hard to undo for a year (README "HSTS"): includeSubDomains holds every
# subdomain to HTTPS; preloading has browsers ship the site in their HSTS list, so it is
# never on unless asked for. Django's deploy check asks for both: it is told these are
# deliberate (SILENCED_SYSTEM_CHECKS) when one is off.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Where the client's address comes from (newsroom.security.client_ip; README "Client
# addresses behind proxies"): how many of our own proxies append to X-Forwarded-For (a
# CDN and a load balancer: 2), or a header that the CDN sets, e.g. CF-Connecting-IP.
NEWSROOM_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "1" if BEHIND_TLS_PROXY else "0"))
NEWSROOM_CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "")
# Who gets the notices of the site (a login attack): "ops@news.example, desk@news.example".
ADMINS = [("", address) for address in env_list("DJANGO_ADMINS")]
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", "root@localhost")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_TLS")
# Browser features no page of the site uses (newsroom.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Content-Security-Policy (django-csp 4): scripts and styles only from the site itself, plus
# inline scripts that carry the request's nonce ({{ CSP_NONCE }}); no 'unsafe-inline' script.
# HTML ads run in frames served by /ads/<id>/frame/ with their own, separate policy.
# Pictures may also come from the media bucket or its CDN; DJANGO_CSP_IMG_SRC adds other
# picture origins, e.g. https://media.news.example
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *media_origins(os.environ), *env_list("DJANGO_CSP_IMG_SRC")],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The embed providers' players, loaded only on a reader's click (articles/embeds.py).
        "frame-src": [
            SELF,
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://platform.twitter.com",
            "https://t.me",
            "https://www.facebook.com",
        ],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if os.environ.get("DJANGO_CSP_REPORT_URI"):
    # Where browsers report what the policy blocked (a collector of your choice).
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = os.environ["DJANGO_CSP_REPORT_URI"]

# Brute-force protection of the logins (django-axes, with the handler in newsroom/logins.py).
# Failed logins within an hour that lock, for each of: a user name from one address (the
# usual mistyping stops here); one address, whatever the user names (password spraying);
# one user name from any address, high enough that only a real attack reaches it, and the
# administrators (ADMINS) get an e-mail when it does. A lock lasts an hour or until a
# superuser deletes the access attempts in the admin ("Access attempts"). A successful
# login forgives only the failures of that user name from that address.
NEWSROOM_LOGIN_FAILURE_LIMITS = {
    ("username", "ip_address"): int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5")),
    ("ip_address",): int(os.environ.get("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", "20")),
    ("username",): int(os.environ.get("DJANGO_LOGIN_USER_FAILURE_LIMIT", "50")),
}
AXES_HANDLER = "newsroom.logins.LoginAttemptsHandler"
AXES_LOCKOUT_PARAMETERS = [list(parameters) for parameters in NEWSROOM_LOGIN_FAILURE_LIMITS]
AXES_FAILURE_LIMIT = NEWSROOM_LOGIN_FAILURE_LIMITS[("username", "ip_address")]
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "newsroom.security.client_ip"
AXES_VERBOSE = False

# Two-factor login (django-otp, TOTP authenticator apps) is optional per person: an
# Administrator adds a "TOTP device" for a user in the admin and they scan its QR code.
OTP_TOTP_ISSUER = os.environ.get("NEWSROOM_SITE_NAME") or "Newsroom"

# Ad impressions are counted in each process's memory and added to the shared counters
# (Redis) at most this many seconds later (ads/services.py).
NEWSROOM_AD_IMPRESSION_SECONDS = float(os.environ.get("NEWSROOM_AD_IMPRESSION_SECONDS", "1"))
# A reader's repeated clicks on one ad within this many seconds count once (ads/clicks.py).
NEWSROOM_AD_CLICK_WINDOW_SECONDS = int(os.environ.get("NEWSROOM_AD_CLICK_WINDOW_SECONDS", "900"))

# Pictures, uploaded or imported (newsroom/uploads.py; the one definition of these limits):
# refused above these many bytes or pixels, and stored at most NEWSROOM_MAX_IMAGE_SIDE
# pixels on the long side (larger ones are scaled down, as WordPress does above 2560).
NEWSROOM_MAX_IMAGE_BYTES = int(os.environ.get("NEWSROOM_MAX_IMAGE_MB", "10")) * 1024 * 1024
NEWSROOM_MAX_IMAGE_PIXELS = 50_000_000
NEWSROOM_MAX_IMAGE_SIDE = int(os.environ.get("NEWSROOM_MAX_IMAGE_SIDE", "2560"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Django's own messages once, through the same handler (not also through its default).
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# The body editor's newsroom blocks (figures from the media library, embeds, pull quotes):
# their script, and what each may write (the project's sanitiser, articles/html.py, is the
# gate on the server).
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("articles/editor_media.js")],
        "extensions": {
            "NewsFigure": html_tags(["figure", "figcaption"], {"figure": ["data-image"]}),
            "NewsEmbed": html_tags(["figure"], {"figure": ["data-embed"]}),
            "PullQuote": html_tags([], {"blockquote": ["class"]}),
        },
    }
]

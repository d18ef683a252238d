"""How many failed logins lock what (django-axes, NEWSROOM_LOGIN_FAILURE_LIMITS), and the
notice to the administrators when an account is under attack."""

import hashlib
import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins

logger = logging.getLogger(__name__)


def _as_key(parameters):
    return (parameters,) if isinstance(parameters, str) else tuple(parameters)


class LoginAttemptsHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for each lockout parameter
    (NEWSROOM_LOGIN_FAILURE_LIMITS): axes has one limit for all of them, which let anyone
    who knows a user name lock that person out with five guesses from five addresses."""

    def failures_by_parameters(self, request, credentials=None):
        """{lockout parameters: failures within the cool-off time}, e.g.
        {("username", "ip_address"): 2, ("ip_address",): 2, ("username",): 9}."""
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)  # in the same order
        return {
            _as_key(names): sum(attempts_of.values_list("failures_since_start", flat=True))
            for names, attempts_of in zip(parameters, attempts, strict=True)
        }

    def get_failures(self, request, credentials=None):
        """Axes compares this number with AXES_FAILURE_LIMIT: give it the failures on that
        scale, counted by whichever of our limits is nearest, so that axes locks exactly
        when one of them is reached."""
        limits = settings.NEWSROOM_LOGIN_FAILURE_LIMITS
        failures = self.failures_by_parameters(request, credentials)
        return settings.AXES_FAILURE_LIMIT + max(
            count - limits[parameters] for parameters, count in failures.items()
        )

    def reset_user_attempts(self, request, credentials=None):
        """A successful login forgives the failures of that user name from that address,
        not an attack on the account from elsewhere, nor what the address tried on other
        user names."""
        username = get_client_username(request, credentials)
        deleted, _by_model = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return deleted


def notify_account_attack(sender, request, username, ip_address, **kwargs):
    """On `axes.signals.user_locked_out`: when a user name, not just an address, is locked,
    tell the administrators once per lock (they may unlock it in the admin; the person
    can still log in once the attack stops)."""
    if not username or request is None:
        return
    handler = LoginAttemptsHandler()
    credentials = getattr(request, "axes_credentials", None)
    user_failures = handler.failures_by_parameters(request, credentials).get(("username",), 0)
    limit = settings.NEWSROOM_LOGIN_FAILURE_LIMITS[("username",)]
    if user_failures < limit:
        return
    # No personal data in the key; one notice per user name and lock.
    digest = hashlib.sha256(username.encode()).hexdigest()
    if not cache.add(
        f"login-attack-notice:{digest}", True, int(settings.AXES_COOLOFF_TIME.total_seconds())
    ):
        return
    shown = repr(username[:150])  # as typed by the attacker: quoted, one line, short
    logger.error("Login attack: the user name %s is locked after %d failures", shown, limit)
    mail_admins(
        f"Login attack on the account {shown}",
        f"{user_failures} failed logins for the user name {shown} came from many "
        f"addresses within {settings.AXES_COOLOFF_TIME}: the user name is locked until they "
        "stop for that long. The person cannot log in meanwhile; a superuser can unlock it "
        "in the admin, under Axes → Access attempts, once the attack is dealt with.",
        fail_silently=True,  # a mail server down must not break the login page
    )

"""Sign-in throttling state. The logic lives in accounts/throttle.py."""

from django.db import models


class LoginThrottle(models.Model):
    """Failed sign-ins counted for one e-mail typed, or for one client address."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", "compte"
        ADDRESS = "address", "adresse IP"

    kind = models.CharField(max_length=10, choices=Kind)
    key = models.CharField(max_length=254)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="one_throttle_per_key")
        ]
        # For purging rows whose window is over.
        indexes = [models.Index(fields=["last_failure_at"])]

    def __str__(self):
        return f"{self.kind}:{self.key} ({self.failures})"

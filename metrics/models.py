"""The database store of the request counter (used when no Redis is configured)."""

from django.db import models


class RequestCounter(models.Model):
    """The deployment's request count: one row per counter (its key prefix)."""

    key = models.CharField(primary_key=True, max_length=200)
    count = models.BigIntegerField(default=0)
    # The start of the latest exact read: quiet processes flush when they see it.
    barrier_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class CounterProcess(models.Model):
    """A server process that flushes into a counter, and how far its flushes reach.

    Both times are the database's clock: every instance sharing the database
    shares it, whatever the clocks of their hosts say.
    """

    counter_key = models.CharField(max_length=200)
    process_id = models.CharField(max_length=200)
    # Every request this process counted before this instant is in the count.
    covered_at = models.DateTimeField()
    # The process's latest flush.
    seen_at = models.DateTimeField()
    # The running total of requests this process counted that the count holds.
    applied_total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["counter_key", "process_id"], name="metrics_counter_process_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.counter_key}/{self.process_id}"

"""The task outbox: background work recorded with the write that asks for it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxTaskQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(dispatched_at__isnull=True)


class OutboxTask(models.Model):
    """A task to hand to django-q2, saved in the same transaction as the write
    that asks for it (`amap.background.enqueue_on_commit`), so that a queue
    down after the commit delays the task instead of losing it.

    Pending while `dispatched_at` is empty; `claimed_at` marks a handoff in
    progress (see `amap.operations.outbox`).
    """

    func = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("named arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    dispatched_at = models.DateTimeField(
        _("dispatched"), null=True, blank=True, db_index=True
    )
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, max_length=2000)

    objects = OutboxTaskQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")

    def __str__(self):
        return self.func

def dispatch_outbox_task() -> int:
    """The workers' schedule, every minute: pending outbox tasks, then pruning."""
    from .outbox import dispatch_pending, prune_dispatched

    sent = dispatch_pending()
    prune_dispatched()
    return sent

"""django-q2 entry points for group purchases: they take ids and call services."""


def close_due_campaigns_task() -> int:
    from .services.lifecycle import close_due_campaigns

    return close_due_campaigns()


def notify_allocation_task(campaign_id: int) -> int:
    from .services.notifications import notify_allocation

    return notify_allocation(campaign_id)


def notify_cancellation_task(campaign_id: int) -> int:
    from .services.notifications import notify_cancellation

    return notify_cancellation(campaign_id)


def notify_minimum_not_met_task(campaign_id: int) -> int:
    from .services.notifications import notify_minimum_not_met

    return notify_minimum_not_met(campaign_id)


def sweep_task() -> dict[str, int]:
    from .services.recovery import sweep

    return sweep()

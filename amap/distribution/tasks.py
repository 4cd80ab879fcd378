"""django-q2 entry points for the distribution app: they take ids and call services."""


def geocode_pickup_point_task(pickup_point_id: int) -> None:
    from .services.pickup_points import geocode_pickup_point

    geocode_pickup_point(pickup_point_id=pickup_point_id)


def notify_distribution_cancelled_task(distribution_id: int) -> None:
    from .services.calendar import notify_distribution_cancelled

    notify_distribution_cancelled(distribution_id=distribution_id)


def send_shift_reminders_task() -> int:
    from .services.shifts import send_shift_reminders

    return send_shift_reminders()


def close_due_cycles_task() -> list[int]:
    from .services.calendar import close_due_cycles

    return close_due_cycles()

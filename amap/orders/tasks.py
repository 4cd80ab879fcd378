"""django-q2 entry points for the orders app: they take ids and call services."""


def send_picking_lists_task() -> int:
    from .picking import send_picking_lists

    return send_picking_lists()


def send_order_confirmation_task(order_id: int) -> None:
    from .services.booking import send_order_confirmation

    send_order_confirmation(order_id=order_id)

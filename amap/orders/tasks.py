"""django-q2 entry points for the orders app: they take ids and call services."""


def send_picking_lists_task() -> int:
    from .picking import send_picking_lists

    return send_picking_lists()


def send_order_confirmation_task(order_id: int) -> None:
    from .services.booking import send_order_confirmation

    send_order_confirmation(order_id=order_id)


def generate_document_task(document_id: int) -> bool:
    from .services.documents import generate_document

    return generate_document(document_id)


def request_cycle_documents_task(cycle_id: int) -> int:
    from .services.documents import request_cycle_documents

    return request_cycle_documents(cycle_id)


def send_sheet_links_task(cycle_id: int) -> int:
    from .services.documents import send_sheet_links

    return send_sheet_links(cycle_id)


def sweep_task() -> dict[str, int]:
    from .services.recovery import sweep

    return sweep()

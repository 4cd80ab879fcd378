"""django-q2 entry points for the producers app: they take ids and call services."""


def geocode_producer_task(producer_id: int) -> None:
    from .services.profile import geocode_producer

    geocode_producer(producer_id=producer_id)

"""django-q2 entry points for the producers app: they take ids and call services."""


def geocode_producer_task(producer_id: int) -> None:
    from .services.profile import geocode_producer

    geocode_producer(producer_id=producer_id)


def send_moderation_email_task(submission_id: int) -> None:
    from .services.moderation import send_moderation_email

    send_moderation_email(submission_id=submission_id)


def send_submission_notice_task(submission_id: int) -> None:
    from .services.moderation import send_submission_notice

    send_submission_notice(submission_id=submission_id)


def send_partnership_proposal_email_task(partnership_id: int) -> None:
    from .services.partnerships import send_partnership_proposal_email

    send_partnership_proposal_email(partnership_id=partnership_id)


def send_manager_invitation_email_task(invitation_id: int) -> None:
    from .services.managers import send_manager_invitation_email

    send_manager_invitation_email(invitation_id=invitation_id)

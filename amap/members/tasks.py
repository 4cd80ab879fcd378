"""django-q2 entry points for the members app: they take ids and call services."""

from .services import send_charter_version_emails, send_invitation_email


def send_invitation_email_task(invitation_id: int) -> None:
    send_invitation_email(invitation_id=invitation_id)


def send_charter_version_emails_task(version_id: int) -> None:
    send_charter_version_emails(version_id=version_id)

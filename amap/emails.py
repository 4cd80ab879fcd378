"""Sending the project's emails from templates under `templates/emails/`.

An email is text: its subject and text body are rendered with autoescaping
off, here, once for every template, so "Groupement d'achat" never becomes
"Groupement d&#x27;achat". Whatever HTML an email may have is its own
template, escaped as any page.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.context import make_context
from django.template.loader import get_template
from django.utils import translation


def render_text(template_name: str, context: dict) -> str:
    """`template_name` rendered as plain text: no autoescaping, whatever the
    template says."""
    template = get_template(template_name)
    # The backend's own `render` always escapes; its Django template does
    # what the context says.
    # The backend wraps a django.template.Template (typed as its protocol).
    django_template = template.template  # type: ignore[attr-defined]
    return django_template.render(make_context(context, autoescape=False))


def render_subject(template: str, context: dict) -> str:
    """`<template>_subject.txt` as text on one line: newlines and runs of
    spaces collapsed (a header must not contain a newline)."""
    return " ".join(render_text(f"{template}_subject.txt", context).split())


def send_templated_email(
    *,
    template: str,
    to: list[str],
    context: dict,
    attachments: list[tuple[str, bytes, str]] | None = None,
    language: str | None = None,
) -> None:
    """Render `<template>_subject.txt` and `_body.txt` as text and send them.

    Emails go out in French unless a language is given, whatever the language
    of the request that caused them.
    """
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_subject(template, context)
        body = render_text(f"{template}_body.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()

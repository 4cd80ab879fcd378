"""How long a text people type may be, in one place.

Every model TextField takes one of these limits twice: `max_length` (which
reaches the form, and the textarea's `maxlength`) and a `MaxLengthValidator`
(which `full_clean` runs, so the services refuse too). tests/test_text_lengths.py
checks every model and every form of the project.

    description = models.TextField(
        _("description"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
"""

# A reason or a short message: why a distribution or a campaign is cancelled,
# a word to the organisers.
SHORT_TEXT_MAX_LENGTH = 1000
# Notes and descriptions read in a list, a feed or on a sheet: a pickup
# point's access notes, a distribution's notes, a product, a wish, an answer.
TEXT_MAX_LENGTH = 2000
# A page's description: a farm, a collective, a campaign, a contract.
LONG_TEXT_MAX_LENGTH = 5000
# A page of the public site written by the network's editors (the charter).
PAGE_TEXT_MAX_LENGTH = 50_000


def published_text(text: str, limit: int = TEXT_MAX_LENGTH) -> str:
    """`text` cut to `limit` characters (its end an ellipsis), for what anyone
    can read or subscribe to: a text saved before its limit existed is still
    published, but never at any length."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"

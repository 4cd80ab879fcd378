"""Organisers review the changes farms make to their public page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from amap.forms import TextField, add_service_errors
from amap.members.charter_diff import word_diff
from amap.texts import TEXT_MAX_LENGTH
from amap.views import access_organised_collective, error_text

from ..selectors import moderation as selectors
from ..services import moderation


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "approve"), ("reject", "reject")],
        error_messages={"required": gettext_lazy("Choose to approve or reject.")},
    )
    comment = TextField(
        label=gettext_lazy("Comment for the farm"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required to reject: say what to correct."),
    )


def _with_diffs(submissions):
    """Each change with what it does to the approved page, field by field
    (the word diff only for the fields it changes)."""
    for submission in submissions:
        farm = submission.producer
        submission.rows = []
        for field, label in (
            ("name", _("Name")),
            ("activity", _("Activity")),
            ("description", _("Description")),
        ):
            current, proposed = getattr(farm, field), getattr(submission, field)
            changed = current != proposed
            submission.rows.append(
                {
                    "label": label,
                    "current": current,
                    "proposed": proposed,
                    "changed": changed,
                    "diff": word_diff(escape(current), escape(proposed))
                    if changed
                    else "",
                }
            )
    return submissions


def _with_commitments(submissions):
    """Each change with the farm's statements about the charter that wait for
    approval, as word diffs (one query for the whole queue)."""
    waiting = selectors.unpublished_commitments(
        [submission.producer_id for submission in submissions]
    )
    for submission in submissions:
        submission.commitment_rows = [
            {
                "heading": commitment.heading,
                "diff": word_diff(
                    escape(commitment.published_statement),
                    escape(commitment.statement),
                ),
            }
            for commitment in waiting.get(submission.producer_id, [])
        ]
    return submissions


def _render_queue(request, collective, *, forms_by_pk=None, status=200):
    submissions = _with_commitments(
        _with_diffs(list(selectors.moderation_queue(request.user, collective)))
    )
    forms_by_pk = forms_by_pk or {}
    for submission in submissions:
        submission.form = forms_by_pk.get(submission.pk) or ReviewForm(
            prefix=f"s{submission.pk}"
        )
    return render(
        request,
        "producers/moderation_queue.html",
        {"collective": collective, "submissions": submissions},
        status=status,
    )


@login_required
@require_GET
def moderation_queue(request, slug):
    collective = access_organised_collective(request.user, slug)
    return _render_queue(request, collective)


@login_required
def review(request, slug, pk):
    collective = access_organised_collective(request.user, slug)
    if request.method != "POST":  # the address left in the browser after a review
        return redirect("producers:moderation_queue", slug=collective.slug)
    submission = (
        selectors.moderation_queue(request.user, collective).filter(pk=pk).first()
    )
    if submission is None:
        messages.warning(
            request,
            _("This change is no longer waiting: it was reviewed or withdrawn."),
        )
        return redirect("producers:moderation_queue", slug=collective.slug)
    form = ReviewForm(request.POST, prefix=f"s{pk}")
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "approve":
                moderation.approve_profile_change(
                    submission, reviewed_by=request.user, comment=comment
                )
                messages.success(
                    request,
                    _("The page of %(name)s is published; the farm is told by email.")
                    % {"name": submission.name},
                )
            else:
                moderation.reject_profile_change(
                    submission, reviewed_by=request.user, comment=comment
                )
                messages.success(
                    request,
                    _(
                        "The change to the page of %(name)s is rejected; the farm "
                        "is told by email, with your comment."
                    )
                    % {"name": submission.producer.name},
                )
        except ValidationError as error:
            if not selectors.moderation_queue(request.user, collective).filter(pk=pk):
                # Reviewed meanwhile, e.g. by another organiser or another tab.
                messages.warning(request, error_text(error))
                return redirect("producers:moderation_queue", slug=collective.slug)
            add_service_errors(form, error)
        else:
            return redirect("producers:moderation_queue", slug=collective.slug)
    return _render_queue(
        request, collective, forms_by_pk={submission.pk: form}, status=400
    )


urlpatterns = [
    path(
        "organisation/<slug:slug>/moderation/",
        moderation_queue,
        name="moderation_queue",
    ),
    path(
        "organisation/<slug:slug>/moderation/<int:pk>/",
        review,
        name="moderation_review",
    ),
]

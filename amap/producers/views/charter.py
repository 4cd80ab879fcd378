"""A farm's statements of how it meets each commitment of the charter."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..models import CharterCommitment
from ..permissions import managed_producers
from ..selectors import charter as selectors
from ..services import charter as services


class CommitmentsForm(forms.Form):
    """One text per commitment of the current charter."""

    def __init__(self, *args, headings: list[str], initial_texts: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.headings = headings
        for index, heading in enumerate(headings):
            self.fields[f"c{index}"] = forms.CharField(
                label=heading,
                required=False,
                max_length=services.MAX_STATEMENT,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=initial_texts.get(heading, ""),
            )

    def statements(self) -> dict[str, str]:
        return {
            heading: self.cleaned_data[f"c{index}"]
            for index, heading in enumerate(self.headings)
        }

    def field_for(self, heading: str) -> str:
        return f"c{self.headings.index(heading)}"


@login_required
@require_http_methods(["GET", "POST"])
def charter_commitments_edit(request, slug):
    producer = get_object_or_404(managed_producers(request.user), slug=slug)
    headings = selectors.current_commitments()
    texts = dict(
        CharterCommitment.objects.filter(producer=producer).values_list(
            "heading", "statement"
        )
    )
    form = CommitmentsForm(request.POST or None, headings=headings, initial_texts=texts)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_charter_commitments(
                producer=producer, statements=form.statements(), saved_by=request.user
            )
        except ValidationError as error:
            for heading, errors in error.message_dict.items():
                name = form.field_for(heading) if heading in headings else None
                form.add_error(name, errors)
        else:
            messages.success(
                request,
                _(
                    "Your statements about the charter have been saved. New or "
                    "changed ones show on your public page once an organiser of a "
                    "collective you supply approves them."
                ),
            )
            return redirect("producers:charter_commitments", slug=producer.slug)
    return render(
        request,
        "producers/charter_commitments.html",
        {
            "form": form,
            "producer": producer,
            "waiting": selectors.waiting_commitments(producer),
        },
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path(
        "producteur/<slug:slug>/charte/",
        charter_commitments_edit,
        name="charter_commitments",
    ),
]

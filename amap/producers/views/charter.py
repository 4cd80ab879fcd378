"""A farm's statements of how it meets each commitment of the charter."""

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy

from amap.forms import TextField
from amap.views import ServiceFormView

from ..models import CharterCommitment
from ..permissions import access_managed_producer
from ..selectors import charter as selectors
from ..services import charter as services


class CommitmentsForm(forms.Form):
    """One text per commitment of the current charter."""

    def __init__(self, *args, headings: list[str], initial_texts: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.headings = headings
        for index, heading in enumerate(headings):
            self.fields[f"c{index}"] = TextField(
                label=heading,
                required=False,
                max_length=services.MAX_STATEMENT,
                initial=initial_texts.get(heading, ""),
            )

    def statements(self) -> dict[str, str]:
        return {
            heading: self.cleaned_data[f"c{index}"]
            for index, heading in enumerate(self.headings)
        }


class CharterCommitmentsView(ServiceFormView):
    template_name = "producers/charter_commitments.html"
    form_class = CommitmentsForm
    success_message = gettext_lazy(
        "Your statements about the charter have been saved. New or "
        "changed ones show on your public page once an organiser of a "
        "collective you supply approves them."
    )

    def access(self):
        self.producer = access_managed_producer(self.request.user, self.kwargs["slug"])
        self.headings = selectors.current_commitments()

    def get_form_kwargs(self):
        texts = dict(
            CharterCommitment.objects.filter(producer=self.producer).values_list(
                "heading", "statement"
            )
        )
        return {
            **super().get_form_kwargs(),
            "headings": self.headings,
            "initial_texts": texts,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            producer=self.producer,
            waiting=selectors.waiting_commitments(self.producer),
            **kwargs,
        )

    def service_error_field(self, heading):
        """The service names a commitment by its heading; the form, by index."""
        if heading not in self.headings:
            return None
        return f"c{self.headings.index(heading)}"

    def perform(self, form):
        services.save_charter_commitments(
            producer=self.producer,
            statements=form.statements(),
            saved_by=self.request.user,
        )

    def get_success_url(self):
        return reverse("producers:charter_commitments", args=[self.producer.slug])


urlpatterns = [
    path(
        "producteur/<slug:slug>/charte/",
        CharterCommitmentsView.as_view(),
        name="charter_commitments",
    ),
]

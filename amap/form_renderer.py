"""The project's form renderer: `{{ field.as_field_group }}` draws a field with
`templates/forms/field.html` (label, widget, help text and errors, with the
ids the widget's `aria-describedby` points at)."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Templates come from the project's TEMPLATES setting, so a project
    template can draw fields; Django's widget templates are found through
    `django.forms` in INSTALLED_APPS."""

    field_template_name = "forms/field.html"

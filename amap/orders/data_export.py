"""A collective's data as one ZIP, so that it can leave with it: a CSV per
table (`;`-separated, UTF-8 with a byte order mark, numbers with the
language's decimal comma, as the other spreadsheets of the site), the same
tables in one JSON file (codes and ISO dates, for a program), and a text
file saying what each file holds.

Reads only, through `selectors.export.collective_export`.
"""

import io
import json
import zipfile
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from amap.members.models import Collective
from amap.money import format_amount, format_number

from .hooks import Column, Table
from .selectors.export import NUMBER, collective_export, table
from .sheet_exports import Document
from .spreadsheets import csv_bytes

FORMAT = 1
JSON_NAME = "data.json"
CONTENT_TYPE = "application/zip"


def collective_zip(collective, *, now: datetime | None = None) -> Document:
    """The ZIP of everything `collective` has in the site."""
    now = now or timezone.now()
    export = collective_export(collective)
    tables = [_collective_table(collective), *export.tables]
    # Outside the f-strings, so that makemessages finds the words.
    export_word = pgettext("file name", "export")
    readme_name = pgettext("file name", "README")
    folder = slugify(
        f"{export_word} {collective.slug} {timezone.localdate(now).isoformat()}"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for exported in tables:
            archive.writestr(f"{folder}/{exported.name}.csv", _csv(exported))
        archive.writestr(
            f"{folder}/{JSON_NAME}",
            json.dumps(
                {
                    "format": FORMAT,
                    "exported_at": now.isoformat(),
                    "collective": collective.slug,
                    "tables": {
                        exported.name: _json_rows(exported) for exported in tables
                    },
                },
                ensure_ascii=False,
                indent=1,
            ),
        )
        archive.writestr(
            f"{folder}/{readme_name}.txt",
            _readme(collective, tables, now),
        )
    return Document(
        content=buffer.getvalue(), filename=f"{folder}.zip", content_type=CONTENT_TYPE
    )


def _collective_table(collective) -> Table:
    return table(
        "collective",
        _("Collective"),
        [collective],
        Column("id", NUMBER, "pk", "id"),
        Column("name", _("Name"), "name"),
        Column("slug", _("Address name"), "slug"),
        Column("kind", _("Kind"), "kind", "choice", Collective.Kind),
        Column("town", _("Town"), "town"),
        Column("contact_email", _("Contact email"), "contact_email"),
        Column("active", _("Active"), "active", "bool"),
        Column("created_at", _("Created on"), "created_at", "datetime"),
        Column("description", _("Description"), "description"),
    )


def _readme(collective, tables: list[Table], now: datetime) -> str:
    lines = [
        _("Data of %(collective)s, exported on %(date)s.")
        % {
            "collective": collective.name,
            "date": formats.date_format(timezone.localtime(now), "DATETIME_FORMAT"),
        },
        "",
        _(
            "Each CSV file is one table (separator ';', UTF-8); %(json)s holds "
            "the same tables with codes instead of labels and ISO dates. "
            "The numbers (the “Number” column, and the columns ending in "
            "“number”) link the tables together."
        )
        % {"json": JSON_NAME},
        "",
    ]
    lines += [
        ngettext(
            "%(file)s: %(title)s, %(count)s row",
            "%(file)s: %(title)s, %(count)s rows",
            len(t.rows),
        )
        % {"file": f"{t.name}.csv", "title": t.title, "count": len(t.rows)}
        for t in tables
    ]
    return "\r\n".join(lines) + "\r\n"


# CSV ------------------------------------------------------------------------


def _csv(exported: Table) -> bytes:
    header = [str(column.label) for column in exported.columns]
    rows = (
        [
            _cell(value, column)
            for value, column in zip(row, exported.columns, strict=True)
        ]
        for row in exported.rows
    )
    return csv_bytes([[header, *rows]])


def _cell(value, column: Column) -> str:
    if value is None or value == "":
        return ""
    kind = column.kind
    if kind == "amount":
        return format_amount(value, grouping=False)
    if kind == "quantity":
        return format_number(value, grouping=False)
    if kind == "number":
        return formats.number_format(value, use_l10n=True, force_grouping=False)
    if kind == "bool":
        return _("yes") if value else _("no")
    if kind == "choice" and column.choices is not None:
        try:
            return str(column.choices(value).label)
        except ValueError:
            return str(value)
    if kind in ("list", "ids"):
        return ", ".join(str(item) for item in value)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return _date(value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return str(value)


def _date(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# JSON -----------------------------------------------------------------------


def _json_rows(exported: Table) -> list[dict]:
    keys = [column.key for column in exported.columns]
    return [
        {key: _json_value(value) for key, value in zip(keys, row, strict=True)}
        for row in exported.rows
    ]


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value

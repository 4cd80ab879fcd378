"""Writing rows people open in a spreadsheet (CSV, XLSX) without letting a
cell run as a formula."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# Spreadsheets run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60


def neutralise(value) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(blocks) -> bytes:
    """`blocks` (lists of rows) as one CSV file, a blank line between blocks:
    `;`-separated, UTF-8 with a byte order mark so that Excel reads accents
    right. Every cell is neutralised; pass numbers already formatted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for number, rows in enumerate(blocks):
        if number:
            writer.writerow([])
        writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell_value(value):
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(value)


def xlsx_bytes(sheets) -> bytes:
    """A workbook of `sheets`, each (title, header, rows, number formats): a
    bold, frozen header row, columns as wide as their content, numbers as
    numbers (`number_formats` maps a column index to an Excel format) and
    every text neutralised."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    titles = set()
    for title, header, rows, number_formats in sheets:
        title = _unique_title(title, titles)
        sheet = workbook.create_sheet(title)
        sheet.append([neutralise(cell) for cell in header])
        bold = Font(bold=True)
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        widths = [len(str(cell)) for cell in header]
        for row in rows:
            sheet.append([_cell_value(value) for value in row])
            for index, value in enumerate(row):
                length = len(str(value or ""))
                if index < len(widths):
                    widths[index] = max(widths[index], length)
                else:
                    widths.append(length)
        for index, width in enumerate(widths):
            letter = get_column_letter(index + 1)
            sheet.column_dimensions[letter].width = min(width + 2, MAX_COLUMN_WIDTH)
        for index, number_format in (number_formats or {}).items():
            for (cell,) in sheet.iter_rows(
                min_row=2, min_col=index + 1, max_col=index + 1
            ):
                cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _unique_title(title: str, taken: set) -> str:
    """An Excel sheet title: at most 31 characters, none of []:*?/\\, unique."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in title).strip() or "-"
    candidate, number = cleaned[:31], 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate

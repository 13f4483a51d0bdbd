"""The report as CSV for Excel: the same tables as the HTML, one after another.

Excel on a city's PC opens a CSV as Shift_JIS unless it starts with a UTF-8 byte order mark,
so the file starts with one (``utf-8-sig``) and uses CRLF line ends. Every line's first column
is the section's title (``区分``), so a filter in Excel, or ``csv`` in Python, can pick one
table out: the line after the report's header lines holding ``区分`` and the table's own
column names is that section's header. Numbers stay numbers; rates are written as ``12.3%``,
which Excel reads as a percentage.
"""

from __future__ import annotations

import csv
import io

from bot.analytics.report import Report

__all__ = ["SECTION_COLUMN", "render_csv"]

SECTION_COLUMN = "区分"
BOM = "\ufeff"


def _cell(value: object) -> object:
    """Neutralise a leading =, +, -, @ in text (Excel would run it as a formula)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def render_csv(report: Report) -> bytes:
    """The report's tables as one UTF-8 CSV with BOM (bytes, ready to write to a file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([SECTION_COLUMN, "項目", "値"])
    writer.writerow(["概要", "レポート", report.title])
    for label, value in report.summary:
        writer.writerow(["概要", label, _cell(value)])
    for section in report.sections:
        writer.writerow([])
        writer.writerow([SECTION_COLUMN, *section.columns])
        for row in section.rows:
            writer.writerow([section.title, *map(_cell, row)])
    return (BOM + out.getvalue()).encode("utf-8")

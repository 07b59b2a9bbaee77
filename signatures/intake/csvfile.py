"""Reading a partner's CSV: the delimiter sniffed, fields bounded in size, broken lines reported not fatal."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass

DELIMITERS = ",;\t"
# A field longer than this is a broken file or an attack, not a signer.
MAX_FIELD = 100_000
SNIFF_BYTES = 64 * 1024

csv.field_size_limit(MAX_FIELD)


@dataclass
class Line:
    number: int
    values: list[str] | None
    # Why the line could not be read (values is None then).
    error: str = ""


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the heading line: whichever of comma, semicolon and tab it holds most of."""
    heading = sample.splitlines()[0] if sample else ""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {delimiter: heading.count(delimiter) for delimiter in DELIMITERS}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def read_heading(text, delimiter: str) -> list[str]:
    reader = csv.reader(text, delimiter=delimiter)
    try:
        return [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error):
        return []


def read_lines(text, delimiter: str) -> Iterator[Line]:
    """Every data line after the heading; a line the csv module cannot read comes back with its error."""
    reader = csv.reader(text, delimiter=delimiter, strict=False)
    heading = True
    while True:
        # A record may span lines (quoted newlines): number it by its first.
        number = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Line(number, None, error=describe_csv_error(error))
            continue
        if heading:
            heading = False
            continue
        if not any(value.strip() for value in values):
            continue
        yield Line(number, values)


def describe_csv_error(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return "field_too_long"
    return "unreadable"

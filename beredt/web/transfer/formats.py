"""Spreadsheet formats of the registers: the documented columns of each register, the
cell conventions, and reading and writing CSV and XLSX.

No database here: this module turns files into rows of cell text and rows of typed
values into files. :mod:`beredt.web.transfer.registers` maps typed values to the ORM.

Cell conventions (the same for CSV and XLSX):

- header names are stable English ``snake_case``; the header is row 1;
- yes/no: ``yes``/``no`` (also ``ja``/``nei``/``nej``, ``true``/``false``, ``1``/``0``);
- times of day ``HH:MM``; dates ``YYYY-MM-DD``;
- lists ``;``-separated (``1;2;3``, ``dementia;insulin``);
- time windows ``07:30-09:00;12:00-13:00`` (earliest start-latest start);
- dependencies ``TASK:MIN:MAX;...`` (``MAX`` may be empty: ``T1:10:``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from beredt.domain.clock import format_clock, parse_clock
from beredt.domain.model import TimeWindow

MAX_ROWS = 20_000
"""Larger files are refused: an import is a register of one unit, not a data dump."""


class CellError(ValueError):
    """A cell that cannot be read; the message says what is wrong, for a planner."""


# ----------------------------------------------------------------------- cell codecs


def parse_text(text: str) -> str:
    return text.strip()


def format_text(value: Any) -> str:
    return "" if value is None else str(value)


def parse_int(text: str) -> int:
    value = text.strip()
    if re.fullmatch(r"[+-]?\d+(\.0+)?", value):
        return int(value.split(".")[0])
    raise CellError(_("expected a whole number, got %(value)r") % {"value": value})


def format_int(value: int | None) -> str:
    return "" if value is None else str(int(value))


def parse_float(text: str) -> float:
    value = text.strip()
    if "," in value and "." not in value:
        value = value.replace(",", ".")  # a decimal comma from a Nordic spreadsheet
    try:
        return float(value)
    except ValueError:
        raise CellError(_("expected a number, got %(value)r") % {"value": text.strip()}) from None


def format_float(value: float | None) -> str:
    return "" if value is None else repr(float(value))


TRUE_WORDS = frozenset({"yes", "ja", "true", "1", "y", "j"})
FALSE_WORDS = frozenset({"no", "nei", "nej", "false", "0", "n"})


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise CellError(_("expected yes or no, got %(value)r") % {"value": text.strip()})


def format_bool(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time(text: str) -> dt.time:
    """``HH:MM`` as a time of day (``24:00`` does not fit a time of day: use 23:59)."""
    match = _HHMM.match(text.strip())
    if not match:
        raise CellError(_("expected a time as HH:MM, got %(value)r") % {"value": text.strip()})
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise CellError(_("%(value)s is not a time of day (00:00-23:59)") % {"value": text.strip()})
    return dt.time(hours, minutes)


def format_time(value: dt.time | None) -> str:
    return "" if value is None else f"{value.hour:02d}:{value.minute:02d}"


def parse_date(text: str) -> dt.date:
    value = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CellError(_("expected a date as YYYY-MM-DD, got %(value)r") % {"value": value})
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(_("%(value)s is not a date") % {"value": value}) from None


def format_date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def parse_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def format_list(values: Iterable[Any] | None) -> str:
    return "" if values is None else ";".join(str(v) for v in values)


def parse_int_list(text: str) -> list[int]:
    return [parse_int(item) for item in parse_list(text)]


def parse_date_list(text: str) -> list[dt.date]:
    return [parse_date(item) for item in parse_list(text)]


def format_date_list(values: Iterable[dt.date] | None) -> str:
    return "" if values is None else ";".join(d.isoformat() for d in values)


Window = tuple[int, int]
"""A time window in minutes after midnight: (earliest start, latest start)."""


def parse_windows(text: str) -> list[Window]:
    windows = []
    for item in parse_list(text):
        start, sep, end = item.partition("-")
        if not sep:
            raise CellError(
                _("expected a time window as HH:MM-HH:MM, got %(value)r") % {"value": item}
            )
        try:
            window = TimeWindow(start=parse_clock(start.strip()), end=parse_clock(end.strip()))
        except ValueError as exc:
            raise CellError(_plain(exc)) from None
        windows.append((window.start, window.end))
    return windows


def format_windows(values: Iterable[Window] | None) -> str:
    if values is None:
        return ""
    return ";".join(f"{format_clock(start)}-{format_clock(end)}" for start, end in values)


DependencyCell = tuple[str, int, int | None]
"""A dependency: (task code it follows, min gap, max gap or None) in minutes."""


def parse_dependencies(text: str) -> list[DependencyCell]:
    """``TASK:MIN:MAX``, ``TASK:MIN`` or ``TASK``; task codes may themselves hold ':'."""
    found = []
    for item in parse_list(text):
        parts = _split_dependency(item)
        after = parts[0].strip()
        if not after:
            raise CellError(
                _("expected a dependency as TASK:MIN:MAX, got %(value)r") % {"value": item}
            )
        min_gap = parse_int(parts[1]) if len(parts) > 1 and parts[1].strip() else 0
        max_gap = parse_int(parts[2]) if len(parts) > 2 and parts[2].strip() else None
        found.append((after, min_gap, max_gap))
    return found


def _split_dependency(item: str) -> list[str]:
    parts = item.rsplit(":", 2)
    if len(parts) == 3 and _is_int_or_blank(parts[1]) and _is_int_or_blank(parts[2]):
        return parts  # TASK:MIN:MAX
    parts = item.rsplit(":", 1)
    if len(parts) == 2 and _is_int_or_blank(parts[1]):
        return parts  # TASK:MIN
    return [item]


def format_dependencies(values: Iterable[DependencyCell] | None) -> str:
    if values is None:
        return ""
    return ";".join(f"{after}:{low}:{'' if high is None else high}" for after, low, high in values)


def _is_int_or_blank(text: str) -> bool:
    return re.fullmatch(r"\s*(\d+)?\s*", text) is not None


def _plain(exc: Exception) -> str:
    """A pydantic message without its "Value error, " prefix."""
    errors = getattr(exc, "errors", None)
    message = str(errors()[0]["msg"]) if callable(errors) else str(exc)
    return message.removeprefix("Value error, ")


@dataclass(frozen=True)
class Codec:
    """How one kind of cell is read and written."""

    label: Any  # shown in the documentation, e.g. "HH:MM"
    parse: Callable[[str], Any]
    format: Callable[[Any], str]
    numeric: bool = False  # written as a number in XLSX


TEXT = Codec(gettext_lazy("text"), parse_text, format_text)
CODE = Codec(gettext_lazy("code"), parse_text, format_text)
INT = Codec(gettext_lazy("whole number"), parse_int, format_int, numeric=True)
FLOAT = Codec(gettext_lazy("decimal number"), parse_float, format_float, numeric=True)
BOOL = Codec(gettext_lazy("yes/no"), parse_bool, format_bool)
TIME = Codec("HH:MM", parse_time, format_time)
DATE = Codec("YYYY-MM-DD", parse_date, format_date)
LIST = Codec(gettext_lazy("list, ;-separated"), parse_list, format_list)
INT_LIST = Codec(gettext_lazy("numbers, ;-separated"), parse_int_list, format_list)
DATE_LIST = Codec(gettext_lazy("dates, ;-separated"), parse_date_list, format_date_list)
WINDOWS = Codec("HH:MM-HH:MM;...", parse_windows, format_windows)
DEPENDENCIES = Codec("TASK:MIN:MAX;...", parse_dependencies, format_dependencies)


# -------------------------------------------------------------------- register specs


_UNSET: Any = object()


@dataclass(frozen=True)
class Column:
    """One documented column. A blank cell means ``default``; with ``keep_if_blank`` a
    blank cell leaves the stored value as it is."""

    name: str
    codec: Codec
    required: bool
    description: Any
    example: str
    default: Any = None
    export: bool = True
    keep_if_blank: bool = False
    sensitive: bool = False

    def parse(self, text: str) -> Any:
        if not text.strip():
            return list(self.default) if isinstance(self.default, list) else self.default
        return self.codec.parse(text)

    def format(self, value: Any) -> str:
        return self.codec.format(value)


@dataclass(frozen=True)
class Register:
    name: str
    title: Any
    key: tuple[str, ...]  # columns that identify a row
    columns: tuple[Column, ...]
    notes: Any = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def example_row(self) -> dict[str, str]:
        return {c.name: c.example for c in self.export_columns}


def C(
    name: str,
    codec: Codec,
    description: Any,
    example: str,
    *,
    required: bool = False,
    default: Any = _UNSET,
    **extra: Any,
) -> Column:
    if default is _UNSET:
        default = [] if codec in (LIST, INT_LIST, DEPENDENCIES) else None
        if codec in (TEXT,):
            default = ""
    return Column(name, codec, required, description, example, default, **extra)


ALL_DAYS = [1, 2, 3, 4, 5, 6, 7]
gl = gettext_lazy

UNITS = Register(
    "units",
    gl("Units"),
    ("code",),
    (
        C("code", CODE, gl("Unit code (only your own unit can be changed)"), "nord", required=True),
        C("name", TEXT, gl("Name of the unit"), "Hjemmetjenesten nord", required=True),
        C("office_address", TEXT, gl("Office address"), "Storgata 1", required=True),
        C("office_lat", FLOAT, gl("Office latitude (WGS84)"), "59.91", required=True),
        C("office_lon", FLOAT, gl("Office longitude (WGS84)"), "10.75", required=True),
    ),
    gl("Units are created by an administrator; an import can only change your own unit."),
)

CLIENTS = Register(
    "clients",
    gl("Clients"),
    ("code",),
    (
        C("code", CODE, gl("Client code"), "K001", required=True),
        C("name", TEXT, gl("Name"), "Kari Nordmann", required=True),
        C("unit", CODE, gl("Unit code"), "nord", required=True),
        C("address", TEXT, gl("Address"), "Storgata 5", required=True),
        C("lat", FLOAT, gl("Latitude (WGS84)"), "59.912", required=True),
        C("lon", FLOAT, gl("Longitude (WGS84)"), "10.751", required=True),
        C("phone", TEXT, gl("Phone number"), "+47 912 34 567"),
        C("can_use_phone", BOOL, gl("Can take phone calls"), "yes", default=True),
        C("language", TEXT, gl("Language: nb, sv or en"), "nb", default="nb"),
        C("vulnerability", INT, gl("Vulnerability: 1 low, 2 medium, 3 high"), "2", default=2),
        C(
            "special_needs",
            BOOL,
            gl("Keep social/relief services in a crisis"),
            "no",
            default=False,
        ),
        C("key_notes", TEXT, gl("Key notes (how to get in)"), "Key box at the door"),
        C("contact_person", CODE, gl("Caregiver code of the contact person"), "A01"),
        C("recent_caregivers", LIST, gl("Caregiver codes of the last 14 days"), "A01;A02"),
        C("active", BOOL, gl("Active client"), "yes", default=True),
        C(
            "national_id",
            TEXT,
            gl(
                "Optional, import only: national identity number (11 or 12 digits). Never "
                "exported; a blank cell keeps the stored number."
            ),
            "",
            default="",
            export=False,
            keep_if_blank=True,
            sensitive=True,
        ),
    ),
)

TASKS = Register(
    "tasks",
    gl("Care tasks"),
    ("code",),
    (
        C("code", CODE, gl("Task code"), "K001-med", required=True),
        C("client", CODE, gl("Client code"), "K001", required=True),
        C(
            "name",
            TEXT,
            gl("Short task name shown to caregivers"),
            "Morning medication",
            required=True,
        ),
        C("kind", TEXT, gl("Task kind, e.g. medication, shower"), "medication", required=True),
        C("service_type", INT, gl("KPR service type"), "15", default=15),
        C("weekdays", INT_LIST, gl("ISO weekdays, 1 = Monday"), "1;2;3;4;5;6;7", default=ALL_DAYS),
        C("dates", DATE_LIST, gl("Only on these dates (blank: every weekday)"), ""),
        C(
            "windows",
            WINDOWS,
            gl("Time windows: earliest start-latest start, one visit each"),
            "07:30-09:00;12:00-13:00",
            required=True,
        ),
        C("duration", INT, gl("Minutes at the client"), "15", required=True),
        C("competence", TEXT, gl("A role or a named skill"), "nurse", default="assistant"),
        C("medication", BOOL, gl("Administers medication"), "yes", default=False),
        C("caregivers", INT, gl("Caregivers needed: 1 or 2"), "1", default=1),
        C(
            "dependencies",
            DEPENDENCIES,
            gl("Starts MIN to MAX minutes after the visit of task TASK (MAX may be empty)"),
            "",
        ),
        C("priority_class", INT, gl("Priority class 1 (highest) to 5"), "1", required=True),
        C("deferral_limit_days", INT, gl("Days a visit may be postponed"), ""),
        C(
            "suitable_for_redeployed",
            BOOL,
            gl("Suitable for redeployed staff"),
            "no",
            default=False,
        ),
        C("instructions", TEXT, gl("Instructions"), ""),
        C("active", BOOL, gl("Active task"), "yes", default=True),
    ),
)

CAREGIVERS = Register(
    "caregivers",
    gl("Caregivers"),
    ("code",),
    (
        C("code", CODE, gl("Caregiver code"), "A01", required=True),
        C("name", TEXT, gl("Name"), "Ola Hansen", required=True),
        C("home_unit", CODE, gl("Home unit code"), "nord", required=True),
        C("phone", TEXT, gl("Phone number"), "+47 987 65 432"),
        C("competence", TEXT, gl("assistant, health_worker or nurse"), "nurse", required=True),
        C("skills", LIST, gl("Extra named skills"), "insulin;wound_care"),
        C("medication_delegation", BOOL, gl("Delegated to give medication"), "no", default=False),
        C("employment_fraction", FLOAT, gl("Employment fraction (0-1]"), "1.0", default=1.0),
        C("other_workplaces", LIST, gl("Other workplaces this week"), ""),
        C("infection_team", BOOL, gl("Member of the infection team"), "no", default=False),
        C("redeployed_from", TEXT, gl("Service redeployed from"), ""),
        C("transport", TEXT, gl("car, bike or walk"), "car", default="car"),
        C("shift_start", TIME, gl("Usual shift start"), "07:30", default=dt.time(7, 30)),
        C("shift_end", TIME, gl("Usual shift end"), "15:30", default=dt.time(15, 30)),
        C("max_work_minutes", INT, gl("Maximum working minutes a day"), ""),
        C("break_window_start", TIME, gl("Break: earliest start"), "11:00"),
        C("break_window_end", TIME, gl("Break: latest start"), "12:30"),
        C("break_minutes", INT, gl("Break minutes"), "30", default=30),
        C(
            "workdays",
            INT_LIST,
            gl("ISO weekdays worked, 1 = Monday"),
            "1;2;3;4;5",
            default=ALL_DAYS,
        ),
        C("active", BOOL, gl("Active"), "yes", default=True),
    ),
)

AVAILABILITY = Register(
    "availability",
    gl("Availability"),
    ("caregiver", "date"),
    (
        C("caregiver", CODE, gl("Caregiver code"), "A01", required=True),
        C("date", DATE, gl("Date"), "2026-11-23", required=True),
        C(
            "status",
            TEXT,
            gl("present, sick, quarantine, caring_for_child or off"),
            "sick",
            required=True,
        ),
        C("shift_start", TIME, gl("That day's shift start (blank: usual shift)"), ""),
        C("shift_end", TIME, gl("That day's shift end (blank: usual shift)"), ""),
        C("note", TEXT, gl("Note"), ""),
    ),
)

RELATIVES = Register(
    "relatives",
    gl("Relatives"),
    ("client", "name"),
    (
        C("client", CODE, gl("Client code"), "K001", required=True),
        C(
            "name",
            TEXT,
            gl("Name of the relative (one row per client and name)"),
            "Per Nordmann",
            required=True,
        ),
        C("relation", TEXT, gl("Relation"), "son"),
        C("phone", TEXT, gl("Phone number"), "+47 913 00 000"),
        C(
            "agreed_tasks",
            LIST,
            gl("Codes of the client's tasks they agreed to take over"),
            "K001-med",
        ),
    ),
)

INFECTION = Register(
    "infection",
    gl("Infection periods"),
    ("client", "status", "from", "from_time"),
    (
        C("client", CODE, gl("Client code"), "K001", required=True),
        C(
            "status",
            TEXT,
            gl("isolated, suspected, quarantined or recovered"),
            "isolated",
            required=True,
        ),
        C("from", DATE, gl("First day"), "2026-11-23", required=True),
        C("from_time", TIME, gl("Time of day the status begins on the first day"), "09:00"),
        C("until", DATE, gl("Last day (inclusive; blank: ongoing)"), ""),
    ),
    gl("Periods are history: an import adds periods or changes their last day, never deletes."),
)

REGISTERS: dict[str, Register] = {
    r.name: r for r in (UNITS, CLIENTS, TASKS, CAREGIVERS, AVAILABILITY, RELATIVES, INFECTION)
}
FORMATS = ("xlsx", "csv")


# -------------------------------------------------------------------------- reading


@dataclass
class Table:
    """A file read as text: the header and each row's cells by row number (header = 1)."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def detect_format(file_name: str, content: bytes) -> str:
    name = file_name.lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return "xlsx"
    return "csv"


def read_table(content: bytes, file_format: str) -> Table:
    """Read a CSV or XLSX file; raises :class:`CellError` for a file that is no table."""
    table = read_xlsx(content) if file_format == "xlsx" else read_csv(content)
    table.header = [h.strip().lstrip("\ufeff").lower() for h in table.header]
    while table.header and not table.header[-1]:
        table.header.pop()
    if len(table.rows) > MAX_ROWS:
        raise CellError(_("the file has more than %(n)d rows") % {"n": MAX_ROWS})
    return table


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; æøå come through intact.
        return content.decode("cp1252", errors="replace")


def sniff_delimiter(first_line: str) -> str:
    """``;`` or ``,``: whichever separates the header (Nordic Excel writes ``;``)."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_csv(content: bytes) -> Table:
    text = _decode(content)
    if "\x00" in text:
        raise CellError(_("the file is not a CSV text file"))
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise CellError(_("the file is not valid CSV: %(error)s") % {"error": exc}) from None
    if not lines:
        raise CellError(_("the file is empty"))
    table = Table(header=lines[0])
    for number, cells in enumerate(lines[1:], start=2):
        if any(c.strip() for c in cells):
            table.rows.append((number, cells))
    return table


def xlsx_cell_text(value: Any) -> str:
    """A typed XLSX cell as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.date() in (dt.date(1899, 12, 30), dt.date(1899, 12, 31)):
            return format_time(value.time())  # a time-only cell
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return format_time(value)
    if isinstance(value, dt.timedelta):
        total = int(value.total_seconds()) // 60
        return format_clock(total)
    return str(value)


def read_xlsx(content: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise CellError(_("the file is not a readable XLSX workbook")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise CellError(_("the file is empty"))
        table = Table(header=[xlsx_cell_text(v) for v in header])
        for number, values in enumerate(rows, start=2):
            cells = [xlsx_cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                table.rows.append((number, cells))
                if len(table.rows) > MAX_ROWS:
                    break
        return table
    finally:
        workbook.close()


# -------------------------------------------------------------------------- writing


def format_row(register: Register, values: dict[str, Any]) -> dict[str, str]:
    """Typed values → cell text, for the export columns of ``register``."""
    return {c.name: c.format(values.get(c.name)) for c in register.export_columns}


def write_csv(register: Register, rows: Sequence[dict[str, str]]) -> bytes:
    """UTF-8 with a byte order mark (so Excel reads æøå), comma-separated."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    names = [c.name for c in register.export_columns]
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(column: Column, text: str) -> Any:
    if column.codec.numeric and text:
        try:
            return column.codec.parse(text)
        except CellError:
            return text
    return text


def write_xlsx(
    register: Register, rows: Sequence[dict[str, str]], *, documentation: bool = False
) -> bytes:
    """The register on the first sheet (header in row 1); with ``documentation`` a second
    sheet "columns" describes each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = register.name
    columns = register.export_columns
    sheet.append([c.name for c in columns])
    for row in rows:
        sheet.append([_xlsx_value(c, row.get(c.name, "")) for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            12, len(column.name) + 2
        )
    sheet.freeze_panes = "A2"
    if documentation:
        docs = workbook.create_sheet("columns")
        docs.append(["name", "type", "required", "description", "example"])
        for column in register.columns:
            docs.append(
                [
                    column.name,
                    str(column.codec.label),
                    format_bool(column.required),
                    str(column.description),
                    column.example,
                ]
            )
        for letter, width in zip("ABCDE", (22, 18, 10, 70, 26), strict=True):
            docs.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_bytes(register: Register, file_format: str) -> bytes:
    """XLSX: header, one example row and the "columns" sheet. CSV: the header only."""
    if file_format == "xlsx":
        return write_xlsx(register, [register.example_row()], documentation=True)
    return write_csv(register, [])

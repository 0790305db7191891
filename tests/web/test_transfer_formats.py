"""Cell conventions and file reading/writing of the register transfer formats."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from beredt.web.transfer import formats
from beredt.web.transfer.formats import CellError

CODE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-"
codes = st.text(alphabet=CODE_CHARS, min_size=1, max_size=20)
clock = st.integers(min_value=0, max_value=24 * 60)


@st.composite
def windows(draw: st.DrawFn) -> list[tuple[int, int]]:
    pairs = draw(st.lists(st.tuples(clock, clock), max_size=8))
    return [(min(a, b), max(a, b)) for a, b in pairs]


@given(windows())
def test_time_windows_written_then_read_are_the_same(value: list[tuple[int, int]]) -> None:
    assert formats.parse_windows(formats.format_windows(value)) == value


@given(st.lists(st.tuples(codes, st.integers(0, 1440), st.none() | st.integers(0, 1440))))
def test_dependencies_written_then_read_are_the_same(
    value: list[tuple[str, int, int | None]],
) -> None:
    assert formats.parse_dependencies(formats.format_dependencies(value)) == value


@given(st.lists(codes))
def test_lists_written_then_read_are_the_same(value: list[str]) -> None:
    assert formats.parse_list(formats.format_list(value)) == value


@given(st.lists(st.integers(1, 7)), st.lists(st.dates()))
def test_number_and_date_lists_round_trip(days: list[int], dates: list[dt.date]) -> None:
    assert formats.parse_int_list(formats.format_list(days)) == days
    assert formats.parse_date_list(formats.format_date_list(dates)) == dates


@given(st.times(), st.dates(min_value=dt.date(1000, 1, 1)), st.booleans())
def test_times_dates_and_booleans_round_trip(time: dt.time, day: dt.date, flag: bool) -> None:
    minute = time.replace(second=0, microsecond=0)
    assert formats.parse_time(formats.format_time(minute)) == minute
    assert formats.parse_date(formats.format_date(day)) == day
    assert formats.parse_bool(formats.format_bool(flag)) is flag


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**9), 10**9))
def test_numbers_round_trip(number: float, whole: int) -> None:
    assert formats.parse_float(formats.format_float(number)) == number
    assert formats.parse_int(formats.format_int(whole)) == whole


@given(windows(), st.lists(codes, max_size=5), st.booleans())
def test_a_row_survives_csv_and_xlsx(
    value: list[tuple[int, int]], skills: list[str], flag: bool
) -> None:
    spec = formats.REGISTERS["tasks"]
    row = spec.example_row() | {
        "windows": formats.format_windows(value),
        "instructions": ";".join(skills) + ', "quoted", æøå',
        "medication": formats.format_bool(flag),
    }
    for fmt, content in (
        ("csv", formats.write_csv(spec, [row])),
        ("xlsx", formats.write_xlsx(spec, [row])),
    ):
        table = formats.read_table(content, fmt)
        assert table.header == spec.column_names[: len(table.header)]
        read = dict(zip(table.header, table.rows[0][1], strict=True))
        assert formats.parse_windows(read["windows"]) == value, fmt
        assert read["instructions"] == row["instructions"]
        assert formats.parse_bool(read["medication"]) is flag


@pytest.mark.parametrize("word", ["yes", "JA", "true", "1", "Yes "])
def test_true_words(word: str) -> None:
    assert formats.parse_bool(word) is True


@pytest.mark.parametrize("word", ["no", "Nei", "false", "0", "nej"])
def test_false_words(word: str) -> None:
    assert formats.parse_bool(word) is False


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (formats.parse_time, "7.30", "expected a time as HH:MM"),
        (formats.parse_time, "25:00", "not a time of day"),
        (formats.parse_date, "23.11.2026", "expected a date as YYYY-MM-DD"),
        (formats.parse_bool, "maybe", "expected yes or no"),
        (formats.parse_windows, "09:00-08:00", "end 08:00 is before start 09:00"),
        (formats.parse_windows, "09:00", "expected a time window"),
        (formats.parse_int, "1.5", "expected a whole number"),
    ],
)
def test_bad_cells_say_what_is_wrong(parse: object, text: str, message: str) -> None:
    with pytest.raises(CellError, match=message):
        parse(text)  # type: ignore[operator]


def test_dependency_forms() -> None:
    assert formats.parse_dependencies("T1:10:30;T2:5;T3;T4:0:") == [
        ("T1", 10, 30),
        ("T2", 5, None),
        ("T3", 0, None),
        ("T4", 0, None),
    ]
    assert formats.parse_dependencies("A:B:10:20") == [("A:B", 10, 20)]


@pytest.mark.parametrize(
    "content",
    [
        "\ufeffcode;name;unit\r\nK1;Kari Ås;nord\r\n".encode(),
        b"code,name,unit\nK1,Kari \xc3\x85s,nord\n",
        "code;name;unit\r\nK1;Kari Ås;nord\r\n".encode("cp1252"),
    ],
    ids=["bom-semicolon", "comma", "cp1252"],
)
def test_csv_with_or_without_bom_and_either_delimiter(content: bytes) -> None:
    table = formats.read_table(content, "csv")
    assert table.header == ["code", "name", "unit"]
    assert table.rows == [(2, ["K1", "Kari Ås", "nord"])]


def test_csv_blank_lines_keep_row_numbers() -> None:
    table = formats.read_csv(b"code,name\nA,x\n,\nB,y\n")
    assert [number for number, _ in table.rows] == [2, 4]


def test_xlsx_typed_cells_read_as_text() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Code", "lat", "date", "shift_start", "active", "duration"])
    sheet.append(["K1", 59.91, dt.datetime(2026, 11, 23), dt.time(7, 30), True, 15.0])
    out = io.BytesIO()
    workbook.save(out)
    table = formats.read_table(out.getvalue(), "xlsx")
    assert table.header == ["code", "lat", "date", "shift_start", "active", "duration"]
    assert table.rows == [(2, ["K1", "59.91", "2026-11-23", "07:30", "yes", "15"])]


def test_not_a_workbook() -> None:
    with pytest.raises(CellError, match="not a readable XLSX"):
        formats.read_table(b"PK\x03\x04garbage", "xlsx")


@pytest.mark.parametrize("name", list(formats.REGISTERS))
def test_xlsx_template_documents_every_column(name: str) -> None:
    spec = formats.REGISTERS[name]
    workbook = load_workbook(io.BytesIO(formats.template_bytes(spec, "xlsx")))
    assert workbook.sheetnames == [name, "columns"]
    documented = [row[0] for row in workbook["columns"].iter_rows(min_row=2, values_only=True)]
    assert documented == spec.column_names
    for column in spec.columns:
        if column.example:
            column.parse(column.example)  # every example is a valid cell


def test_clients_export_columns_leave_out_national_id() -> None:
    spec = formats.REGISTERS["clients"]
    assert "national_id" in spec.column_names
    assert "national_id" not in [c.name for c in spec.export_columns]
    assert b"national_id" not in formats.write_csv(spec, [])

"""The XLSX export writes texts that XML cannot carry without failing."""

import io

from openpyxl import load_workbook

from chalicelib.finance.export import COLUMNS, to_xlsx


def test_control_characters_are_dropped():
    row = ["Счёт\x0bприложен\x07"] + ["1.00"] * (len(COLUMNS) - 1)
    workbook = load_workbook(io.BytesIO(to_xlsx([row])))
    sheet = workbook.active
    assert sheet.cell(row=2, column=1).value == "Счётприложен"


def test_plain_text_is_kept():
    row = ["ООО «Ромашка»"] + ["1.00"] * (len(COLUMNS) - 1)
    workbook = load_workbook(io.BytesIO(to_xlsx([row])))
    assert workbook.active.cell(row=2, column=1).value == "ООО «Ромашка»"

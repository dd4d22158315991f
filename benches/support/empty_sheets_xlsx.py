"""Writes an xlsx of N sheets holding one number each, to see what a sheet alone costs a reader.

    python3 benches/support/empty_sheets_xlsx.py N OUT.xlsx

The smallest package LibreOffice and Excel open: content types, relationships, a workbook
and N worksheets with the number 1 in A1. Standard library only. Used by
benches/open-in-libreoffice.sh (LibreOffice 7.4's ODS export costs about 18 MB a sheet).
"""

import sys
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def main(n, out):
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    types = (
        f'{head}<Types xmlns="{CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_CT}"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_CT}"/>'
            for i in range(1, n + 1)
        )
        + "</Types>"
    )
    root_rels = (
        f'{head}<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        f'{head}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        + "".join(
            f'<sheet name="Feuille {i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, n + 1)
        )
        + "</sheets></workbook>"
    )
    book_rels = (
        f'{head}<Relationships xmlns="{PKG}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + "</Relationships>"
    )
    sheet = (
        f'{head}<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c>'
        "</row></sheetData></worksheet>"
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", book_rels)
        for i in range(1, n + 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheet)


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        sys.exit(__doc__)
    main(int(sys.argv[1]), sys.argv[2])

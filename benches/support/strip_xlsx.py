"""Copies an xlsx without its notes and/or its charts, to see what each costs a reader.

    python3 benches/support/strip_xlsx.py IN.xlsx OUT.xlsx notes|charts|both

`notes` drops every comment part and its VML drawing (and the sheets' <legacyDrawing>);
`charts` drops every drawing part with its charts (and the sheets' <drawing>). Everything else
is copied byte for byte. Standard library only. Used by benches/open-in-libreoffice.sh.
"""

import re
import sys
import zipfile


def main(src, dst, what):
    notes = what in ("notes", "both")
    charts = what in ("charts", "both")
    gone = set()
    with zipfile.ZipFile(src) as z:
        names = z.namelist()
        for n in names:
            if notes and (re.match(r"xl/comments\d+\.xml$", n) or n.endswith(".vml")):
                gone.add(n)
            if charts and (n.startswith("xl/charts/") or re.match(r"xl/drawings/(_rels/)?drawing\d+\.xml", n)):
                gone.add(n)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as out:
            for n in names:
                if n in gone:
                    continue
                data = z.read(n)
                if n.endswith(".rels") or n == "[Content_Types].xml" or n.startswith("xl/worksheets/sheet"):
                    text = data.decode("utf-8")
                    kinds = (["comments", "vmlDrawing"] if notes else []) + (["drawing"] if charts else [])
                    for kind in kinds:
                        text = re.sub(r'<Relationship [^>]*relationships/%s"[^>]*/>' % kind, "", text)
                    if notes:
                        text = re.sub(r"<legacyDrawing [^>]*/>", "", text)
                        text = re.sub(r'<Override PartName="/xl/comments\d+\.xml"[^>]*/>', "", text)
                        text = re.sub(r'<Default Extension="vml"[^>]*/>', "", text)
                    if charts:
                        text = re.sub(r"<drawing r:id=\"[^\"]*\"/>", "", text)
                        text = re.sub(r'<Override PartName="/xl/(charts/chart|drawings/drawing)\d+\.xml"[^>]*/>', "", text)
                    data = text.encode("utf-8")
                out.writestr(z.getinfo(n), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=3)


if __name__ == "__main__":
    main(*sys.argv[1:4])

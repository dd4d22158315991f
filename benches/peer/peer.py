"""The pandas + XlsxWriter peer of `boussole run` (issue 19, item 3).

A minimal, honest script doing the core of the same job, the way an analyst would write
it with the usual Python tools:

- reads the same input (the workbook written by `boussole sample`: sheets « Indicateurs »
  and « Contexte », header on the third row, « n.d. » for a missing value), resolving the
  headers through the rule pack's column labels and aliases;
- computes the same derived indicators, from the pack's [[indicators]]:
  numerator / denominator x factor (a missing value or a zero denominator gives no value);
- regional quartiles of each indicator (QUARTILE.INC, i.e. linear interpolation between
  order statistics, pandas' default), with the national frame in place of a region that
  has fewer than `min_frame_n` values, as the pack says;
- findings: a judged indicator (direction "higher" or "lower") in the strongest or the
  weakest quarter of its region;
- one output workbook: the structures with their indicators, the quartiles, the findings,
  and a sheet of radar charts, one per structure (its percentile rank in its region on each
  judged indicator, against the regional median).

It does less than boussole (no peers, no regression, no rule scripts, no notes, no
diagnostics of each cell), which favours the peer in the comparison.

    python peer.py INPUT.xlsx PACK.toml OUTPUT.xlsx
"""

import sys
import tomllib
import unicodedata

import numpy as np
import pandas as pd

HEADER_ROW = 2  # 0-based: title, subtitle, header


def key(text):
    """A header as compared: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def resolve(frame, columns):
    """Renames the headers of `frame` to the pack's column ids (label or alias)."""
    names = {}
    for column in columns:
        for label in [column["label"], *column.get("aliases", [])]:
            names.setdefault(key(label), column["id"])
    return frame.rename(columns=lambda h: names.get(key(h), h))


def main(input_path, pack_path, output_path):
    with open(pack_path, "rb") as f:
        pack = tomllib.load(f)
    columns = pack["columns"]
    indicators = pack["indicators"]
    min_n = pack.get("frames", {}).get("min_frame_n", 5)

    sheets = pd.read_excel(input_path, sheet_name=["Indicateurs", "Contexte"],
                           header=HEADER_ROW, dtype={0: str})
    data = resolve(sheets["Indicateurs"], columns)
    context = resolve(sheets["Contexte"], columns)
    data["code"] = data["code"].astype(str)
    context["code"] = context["code"].astype(str)
    data = data.merge(context, on="code", how="left", suffixes=("", "_contexte"))

    # Derived indicators.
    ids = [ind["id"] for ind in indicators]
    for ind in indicators:
        num = pd.to_numeric(data[ind["numerator"]], errors="coerce")
        den = pd.to_numeric(data[ind["denominator"]], errors="coerce")
        value = num / den.where(den != 0) * ind.get("factor", 1.0)
        data[ind["id"]] = value.replace([np.inf, -np.inf], np.nan)

    # Regional quartiles (QUARTILE.INC), the national frame for too small a region.
    by_region = data.groupby("region")[ids]
    q1, q2, q3 = (by_region.quantile(q) for q in (0.25, 0.5, 0.75))
    counts = by_region.count()
    national = data[ids].quantile([0.25, 0.5, 0.75])
    small = counts < min_n
    for q, level in ((q1, 0.25), (q2, 0.5), (q3, 0.75)):
        q[small] = np.nan
        q.fillna(national.loc[level], inplace=True)
    labels = {ind["id"]: ind["label"] for ind in indicators}
    quartiles = pd.concat({"n": counts, "Q1": q1, "Médiane": q2, "Q3": q3}, axis=1) \
        .stack(future_stack=True).rename(index=labels).rename_axis(["Région", "Indicateur"])

    # Findings: strongest or weakest quarter of the region.
    rows = []
    lo = q1.reindex(data["region"]).reset_index(drop=True)
    hi = q3.reindex(data["region"]).reset_index(drop=True)
    for ind in indicators:
        direction = ind.get("direction", "neutral")
        if direction == "neutral":
            continue
        i = ind["id"]
        v = data[i]
        top, bottom = v >= hi[i], v <= lo[i]
        strong, weak = (top, bottom) if direction == "higher" else (bottom, top)
        for mask, label in ((strong, "quart le plus fort de la région"),
                            (weak, "quart le plus faible de la région")):
            part = data.loc[mask, ["code", "nom", "region"]].copy()
            part["indicateur"] = ind["label"]
            part["valeur"] = v[mask]
            part["Q1"], part["Q3"] = lo.loc[mask, i], hi.loc[mask, i]
            part["constat"] = label
            rows.append(part)
    findings = pd.concat(rows).sort_values(["region", "code", "indicateur"])

    # Radar data: percentile rank in the region on each judged indicator.
    judged = [ind for ind in indicators if ind.get("direction", "neutral") != "neutral"]
    ranks = data.groupby("region")[[ind["id"] for ind in judged]].rank(pct=True) * 100
    for ind in judged:
        if ind["direction"] == "lower":
            ranks[ind["id"]] = 100 - ranks[ind["id"]]

    with pd.ExcelWriter(output_path, engine="xlsxwriter") as writer:
        out = data[["code", "nom", "region", *ids]].rename(
            columns=labels)
        out.to_excel(writer, sheet_name="Indicateurs", index=False, na_rep="n.d.")
        quartiles.to_excel(writer, sheet_name="Quartiles", merge_cells=False)
        findings.to_excel(writer, sheet_name="Constats", index=False)
        radar = pd.concat([data[["code", "nom", "region"]], ranks], axis=1)
        radar.to_excel(writer, sheet_name="Données radars", index=False, na_rep="")

        book = writer.book
        charts = book.add_worksheet("Radars")
        n_judged = len(judged)
        charts.write_row(0, 0, ["Médiane régionale"] + [50] * n_judged)
        charts.write_row(1, 1, [ind["label"] for ind in judged])
        for s in range(len(data)):
            chart = book.add_chart({"type": "radar", "subtype": "filled"})
            row = s + 1
            chart.add_series({
                "name": ["Données radars", row, 1],
                "categories": ["Radars", 1, 1, 1, n_judged],
                "values": ["Données radars", row, 3, row, 2 + n_judged],
            })
            chart.add_series({
                "name": ["Radars", 0, 0],
                "categories": ["Radars", 1, 1, 1, n_judged],
                "values": ["Radars", 0, 1, 0, n_judged],
            })
            chart.set_title({"name": f"{data['nom'].iat[s]} ({data['code'].iat[s]})"})
            chart.set_y_axis({"min": 0, "max": 100})
            chart.set_size({"width": 480, "height": 320})
            charts.insert_chart(3 + (s // 2) * 17, (s % 2) * 8, chart)

    print(f"{len(data)} structures, {len(findings)} constats -> {output_path}")


if __name__ == "__main__":
    main(*sys.argv[1:4])

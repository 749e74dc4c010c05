"""The data of an accelerator's capacity page in the site: plain values, ready for a template.

:func:`page_data` is pure (a result in, a dict out); :mod:`graph.render.capacity_page` fills
``graph/render/templates/capacity.html`` with it. Positions on the range bar and bar lengths are
percentages of a common scale, so the template does no arithmetic.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["page_data", "page_name"]


def page_name(result: dict[str, Any]) -> str:
    """File name of the page: ``capacity-<accelerator>-<year>.html`` (ids are slugs)."""
    return f"capacity-{result['accelerator']}-{result['year']}.html"


def _pct(x: float | None, top: float) -> float | None:
    if x is None or not math.isfinite(x) or top <= 0:
        return None
    return round(max(0.0, min(100.0, 100.0 * x / top)), 2)


def _fmt(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.4g}"  # 221,400, not 2.214e+05
    return f"{x:,.0f}" if isinstance(x, (int, float)) else str(x)


def page_data(result: dict[str, Any], sources: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything the capacity page shows for one result of :func:`graph.capacity.model.capacity`.

    Parameters
    ----------
    result : dict
        One capacity result.
    sources : dict, optional
        Source id -> {"title", "publisher", "date", "url"} for the claims' source list.

    Examples
    --------
    >>> r = {"accelerator": "x", "label": "X", "year": 2025, "status": "missing inputs", "scenario": None,
    ...      "as_of": None, "missing": [{"parameter": "die_area_mm2", "label": "die area", "needs": "a claim"}],
    ...      "inputs": [], "assumptions": [], "claims_used": [], "published": [], "sensitivity": [],
    ...      "binding": [], "output": None, "range_rule": "rule"}
    >>> d = page_data(r)
    >>> d["title"], d["modelled"], d["missing"][0]["parameter"]
    ('X: production capacity in 2025', False, 'die_area_mm2')
    """
    sources = sources or {}
    out = result.get("output")
    published = [p for p in result.get("published", [])]
    values = [p["value"] for p in published if p["scope"] != "dies"]
    if out:
        values += [out["bound_high"], out["p90"]]
    top = max(values) * 1.1 if values else 1.0
    bar = None
    if out:
        bar = {
            "bound_low": _pct(out["bound_low"], top),
            "bound_high": _pct(out["bound_high"], top),
            "p10": _pct(out["p10"], top),
            "p50": _pct(out["p50"], top),
            "p90": _pct(out["p90"], top),
            "ticks": [{"x": _pct(top * k / 4, top), "text": _fmt(top * k / 4)} for k in range(5)],
        }
    marks = []
    for i, p in enumerate(published):
        if p["scope"] == "dies":
            continue
        marks.append(
            {
                "x": _pct(p["value"], top),
                "row": i,
                "text": f"{p['claimed_by_label'] or p['id']}: {_fmt(p['value'])}",
                "verdict": p["verdict"] or "",
                # labels right of the middle end at their dot, so they stay inside the picture
                "anchor": "end" if (_pct(p["value"], top) or 0) > 55 else "start",
            }
        )
    sens = result.get("sensitivity", [])
    smax = max((s["swing"] for s in sens), default=0) or 1
    claim_rows = []
    for c in result.get("claims_used", []):
        claim_rows.append(
            {
                "id": c["id"],
                "label": c["label"],
                "value": _fmt(c["value"]),
                "range": (
                    f"{_fmt(c['low'])} to {_fmt(c['high'])}" if c["low"] is not None or c["high"] is not None else ""
                ),
                "unit": c["unit"],
                "year": c["year"],
                "date": c["claim_date"],
                "confidence": c["confidence"],
                "claimed_by": c["claimed_by"] or "",
                "sources": [
                    {
                        "id": s,
                        "title": (sources.get(s) or {}).get("title") or s,
                        "url": (sources.get(s) or {}).get("url") or "",
                    }
                    for s in c["sources"]
                ],
            }
        )
    return {
        "title": f"{result['label']}: production capacity in {result['year']}",
        "accelerator": result["accelerator"],
        "label": result["label"],
        "year": result["year"],
        "scenario": result.get("scenario"),
        "as_of": result.get("as_of"),
        "modelled": result["status"] == "modelled",
        "missing": result.get("missing", []),
        "output": {k: _fmt(v) for k, v in out.items()} if out else None,
        "binding_constraint": result.get("binding_constraint"),
        "bar": bar,
        "marks": marks,
        "binding": [
            {"constraint": b["constraint"], "share": b["share"], "pct": round(100 * b["share"], 1)}
            for b in result.get("binding", [])
        ],
        "sensitivity": [
            {
                "parameter": s["parameter"],
                "label": s["label"],
                "swing": _fmt(s["swing"]),
                "pct": _pct(s["swing"], smax),
                "range": f"{_fmt(s['low'])} to {_fmt(s['high'])}",
            }
            for s in sens
        ],
        "inputs": [
            {
                **i,
                "low": _fmt(i["low"]),
                "high": _fmt(i["high"]),
                "from": " ".join(i["claims"]) or i["assumption"] or i.get("scenario") or "",
            }
            for i in result.get("inputs", [])
        ],
        "published": [
            {
                **p,
                "value": _fmt(p["value"]),
                # the estimate's own interval where its source gives one (Epoch: p5 to p95)
                "range": f"{_fmt(p['low'])} – {_fmt(p['high'])}"
                if p.get("low") is not None and p.get("high") is not None
                else "",
                "would_need": [f"{w['parameter']} {_fmt(w['would_need'])}" for w in p.get("would_need", [])[:3]],
            }
            for p in published
        ],
        "assumptions": result.get("assumptions", []),
        "claims": claim_rows,
        "range_rule": result.get("range_rule", ""),
        "draws": result.get("draws"),
        "seed": result.get("seed"),
    }

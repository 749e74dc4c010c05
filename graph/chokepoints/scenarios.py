"""What-if scenarios: small YAML files that change measures, providers or the date.

Format (every key optional except ``name``)::

    name: Netherlands stops servicing installed DUV scanners
    description: why this is plausible, with sources
    as_of: 2026-01-01                 # evaluate on this date
    lift_measures: [us-hbm-rule-2024-12]
    add_measures:
      - id: nl-duv-servicing-stop     # a new, hypothetical measure
        label: Dutch stop to DUV servicing in China
        kind: ItemControl             # or EntityListing
        jurisdiction: NLD
        effective: 2026-01-01
        end: null
        covers: [arf-immersion-duv-lithography-tools]   # input or product ids (empty: all items)
        destinations: [CHN]
        parties: []                   # organisation ids (entity listing)
        reaches_foreign_products: false
        citation: hypothetical
    remove_providers: [asml]          # a provider stops supplying everybody
    remove_countries: [NLD]           # every provider in these countries stops
    add_providers:                    # a (domestic) provider starts supplying an input
      - {provider: cxmt, input: hbm, share: 5, country: CHN}
    unbridge: [arf-immersion-duv-lithography-tools]   # installed tools / stock no longer bridge these

Ids are checked against the graph when the scenario is applied; unknown ones are an error that
names the file and line. :func:`compare` reports new, removed and changed chokepoints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from graph.chokepoints import nodeids
from graph.chokepoints.cuts import recompute_candidates
from graph.chokepoints.measures import Measure
from graph.errors import InputError, Problem
from graph.lexical import COUNTRY_RE, SLUG_RE, parse_iso_date

__all__ = ["Scenario", "load_scenario", "as_scenario", "apply_scenario", "compare"]

KEYS = {
    "name",
    "description",
    "as_of",
    "lift_measures",
    "add_measures",
    "remove_providers",
    "remove_countries",
    "add_providers",
    "unbridge",
}
MEASURE_KEYS = {
    "id",
    "label",
    "kind",
    "jurisdiction",
    "effective",
    "end",
    "covers",
    "destinations",
    "parties",
    "reaches_foreign_products",
    "citation",
    "scope_note",
}
PROVIDER_KEYS = {"provider", "input", "share", "country"}


@dataclass
class Scenario:
    """A parsed scenario; ``lines`` maps 'section/index' to the YAML line for error messages."""

    name: str
    path: str = ""
    description: str = ""
    as_of: dt.date | None = None
    lift_measures: list[str] = field(default_factory=list)
    add_measures: list[Measure] = field(default_factory=list)
    remove_providers: list[str] = field(default_factory=list)
    remove_countries: list[str] = field(default_factory=list)
    add_providers: list[dict[str, Any]] = field(default_factory=list)
    unbridge: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return (
            len(self.lift_measures)
            + len(self.add_measures)
            + len(self.remove_providers)
            + len(self.remove_countries)
            + len(self.add_providers)
            + len(self.unbridge)
            + (self.as_of is not None)
        )


def _date(value: Any, path: Path, line: int, what: str, problems: list[Problem]) -> dt.date | None:
    """A YYYY-MM-DD date (through :func:`graph.lexical.parse_iso_date`), None when absent or bad."""
    if value is None:
        return None
    try:
        return parse_iso_date(value, what, file=path, line=line)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _text(value: Any, path: Path, line: int, what: str, problems: list[Problem]) -> str | None:
    """A single text (a YAML number is taken as its text); a list, mapping or boolean is a problem."""
    if value is None:
        return None
    if isinstance(value, (list, dict, bool)):
        problems.append(Problem(f"{what} must be a single text, not {value!r}", path, line))
        return None
    return str(value)


def _ids(value: Any, path: Path, line: int, what: str, problems: list[Problem]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    problems.append(Problem(f"{what} must be an id or a list of ids, not {value!r}", path, line))
    return []


def _items(doc: Any, key: str, what: str, path: Path, problems: list[Problem]) -> list[tuple[Any, int]]:
    """(item, line) of the list under ``key``: none when it is absent, a problem when it is no list."""
    from graph.sources.yamlload import LineList

    raw = doc.get(key)
    if raw is None:
        return []
    if not isinstance(raw, LineList):
        problems.append(Problem(f"{key} must be {what}", path, doc.key_lines.get(key, 1)))
        return []
    return list(zip(raw, raw.item_lines))


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; raise :class:`InputError` listing every problem."""
    from graph.sources.yamlload import LineDict, load_yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(f"no scenario file at {path}", path, hint="give the path of a .yaml file"))
    doc = load_yaml(path)
    problems: list[Problem] = []
    if not isinstance(doc, LineDict):
        raise InputError(
            Problem(
                "a scenario must be a mapping with at least 'name'",
                path,
                1,
                hint="see graph/data/scenarios/ for examples",
            )
        )
    kl = doc.key_lines
    for key in sorted(set(doc) - KEYS):
        problems.append(
            Problem(f"unknown scenario key {key!r}", path, kl[key], hint="allowed: " + ", ".join(sorted(KEYS)))
        )
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("a scenario needs a name", path, 1))
        name = path.stem
    description = _text(doc.get("description"), path, kl.get("description", 1), "description", problems)
    s = Scenario(name=name, path=str(path), description=description or "")
    s.as_of = _date(doc.get("as_of"), path, kl.get("as_of", 1), "as_of", problems)
    for key in ("lift_measures", "remove_providers", "remove_countries", "unbridge"):
        setattr(s, key, _ids(doc.get(key), path, kl.get(key, 1), key, problems))
        s.lines[key] = kl.get(key, 1)
    for i, (item, line) in enumerate(_items(doc, "add_measures", "a list of measures", path, problems)):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(Problem("each added measure needs an id", path, line))
            continue
        for key in sorted(set(item) - MEASURE_KEYS):
            problems.append(
                Problem(f"unknown measure key {key!r}", path, line, hint="allowed: " + ", ".join(sorted(MEASURE_KEYS)))
            )
        mid = item["id"]
        key_lines = getattr(item, "key_lines", {})
        if not SLUG_RE.match(mid):
            problems.append(
                Problem(
                    f"measure id {mid!r} is not an id",
                    path,
                    key_lines.get("id", line),
                    hint="write lower-case letters, digits and single hyphens, e.g. us-hbm-rule-2027",
                )
            )
            continue

        def item_line(key: str, default: int, _lines: dict[str, int] = key_lines) -> int:
            return _lines.get(key, default)

        eff = _date(item.get("effective"), path, item_line("effective", line), f"measure {mid}: effective", problems)
        end = _date(item.get("end"), path, item_line("end", line), f"measure {mid}: end", problems)
        if item.get("effective") is None:
            problems.append(
                Problem(
                    f"measure {mid}: needs an effective date (without one it would never be in force)",
                    path,
                    item_line("effective", line),
                    hint="write effective: YYYY-MM-DD",
                )
            )
        elif eff is not None and end is not None and end <= eff:
            problems.append(
                Problem(
                    f"measure {mid}: ends ({end}) on or before it takes effect ({eff}), so it is never in force",
                    path,
                    item_line("end", line),
                    hint="end is the first day the measure no longer applies",
                )
            )
        texts = {
            key: _text(item.get(key), path, item_line(key, line), f"measure {mid}: {key}", problems)
            for key in ("label", "citation", "scope_note")
        }
        kind = item.get("kind", "ItemControl")
        if not isinstance(kind, str) or kind not in ("ItemControl", "EntityListing"):
            problems.append(Problem(f"measure {item['id']}: kind must be ItemControl or EntityListing", path, line))
        reach = item.get("reaches_foreign_products", False)
        if not isinstance(reach, bool):
            problems.append(
                Problem(f"measure {item['id']}: reaches_foreign_products must be true or false", path, line)
            )
            reach = False
        s.add_measures.append(
            Measure(
                id=item["id"],
                label=texts["label"] or mid,
                kind=kind,
                jurisdiction=frozenset(_ids(item.get("jurisdiction"), path, line, "jurisdiction", problems)),
                effective=eff,
                end=end,
                parties=frozenset(_ids(item.get("parties"), path, line, "parties", problems)),
                destinations=frozenset(_ids(item.get("destinations"), path, line, "destinations", problems)),
                items=frozenset(_ids(item.get("covers"), path, line, "covers", problems)),
                reaches_foreign=reach,
                legal_citation=texts["citation"] or "hypothetical (scenario)",
                scope_note=texts["scope_note"] or "",
                confidence="high",
                sources=(),
                hypothetical=True,
            )
        )
        s.lines[f"add_measures/{i}"] = line
    for i, (item, line) in enumerate(_items(doc, "add_providers", "a list", path, problems)):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("provider"), str)
            or not isinstance(item.get("input"), str)
        ):
            problems.append(Problem("each added provider needs 'provider' and 'input' ids", path, line))
            continue
        for key in sorted(set(item) - PROVIDER_KEYS):
            problems.append(
                Problem(
                    f"unknown provider key {key!r}", path, line, hint="allowed: " + ", ".join(sorted(PROVIDER_KEYS))
                )
            )
        share = item.get("share")
        if share is not None and (
            isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 100
        ):
            problems.append(Problem(f"share {share!r} must be a number from 0 to 100", path, line))
            share = None
        country = item.get("country")
        if country is not None and not (isinstance(country, str) and COUNTRY_RE.match(country)):
            problems.append(
                Problem(
                    f"country {country!r} must be one ISO 3166-1 alpha-3 code",
                    path,
                    line,
                    hint="for example country: CHN",
                )
            )
            country = None
        s.add_providers.append(
            {
                "provider": item["provider"],
                "input": item["input"],
                "share": float(share) if share is not None else None,
                "country": country,
            }
        )
        s.lines[f"add_providers/{i}"] = line
    if problems:
        raise InputError(f"{len(problems)} problem(s) in scenario {path}", problems)
    return s


def as_scenario(scenario: Scenario | str | Path | None) -> Scenario | None:
    """``scenario`` itself when it is loaded already (or None), else the scenario file it names."""
    if scenario is None or isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)


def apply_scenario(G: nx.DiGraph, scenario: Scenario) -> nx.DiGraph:
    """A copy of ``G`` with the scenario's changes (cuts must be re-annotated afterwards)."""
    path = Path(scenario.path) if scenario.path else None
    problems: list[Problem] = []
    entities = set(G.graph.get("entities", []))
    measures = dict(G.graph.get("measures", {}))
    countries = {c for c in G.graph.get("provider_country", {}).values() if c} | {
        e for e in entities if len(e) == 3 and e.isupper()
    }
    inputs = set(G.graph.get("inputs", [])) | {
        d.get("entity") for _, d in G.nodes(data=True) if d.get("kind") == "supply"
    }
    coverable = inputs | set(G.graph.get("products", []))
    organisations = {e for e in G.graph.get("provider_country", {}) if e not in countries}
    for mid in scenario.lift_measures:
        if mid not in measures:
            problems.append(
                Problem(f"lift_measures: unknown measure {mid!r}", path, scenario.lines.get("lift_measures"))
            )
        measures.pop(mid, None)
    for i, m in enumerate(scenario.add_measures):
        line = scenario.lines.get(f"add_measures/{i}")
        if m.id in measures or m.id in entities:
            problems.append(
                Problem(
                    f"add_measures: {m.id!r} is already the id of a measure or entity of the graph",
                    path,
                    line,
                    hint="give the added measure an id of its own (lift_measures withdraws an existing one)",
                )
            )
        for ref in sorted(m.items | m.parties):
            if ref not in entities:
                problems.append(Problem(f"measure {m.id}: unknown id {ref!r}", path, line))
        for ref in sorted(m.items & entities - coverable):
            problems.append(
                Problem(
                    f"measure {m.id}: covers {ref!r}, which is not an input or a product",
                    path,
                    line,
                    hint="covers takes input ids (hbm, euv-lithography-tools) or product ids (ascend-910c); "
                    "a firm goes in parties",
                )
            )
        for ref in sorted(m.parties & entities - organisations):
            problems.append(
                Problem(
                    f"measure {m.id}: lists {ref!r} as a party, which is not an organisation",
                    path,
                    line,
                    hint="parties takes organisation ids (huawei, smic); an input or product goes in covers",
                )
            )
        for c in sorted(m.jurisdiction | m.destinations):
            if c not in countries:
                problems.append(
                    Problem(f"measure {m.id}: unknown country {c!r}", path, line, hint="use ISO 3166-1 alpha-3 codes")
                )
        measures[m.id] = m
    for p in scenario.remove_providers:
        if nodeids.provider(p) not in G:
            problems.append(
                Problem(f"remove_providers: unknown provider {p!r}", path, scenario.lines.get("remove_providers"))
            )
    for c in scenario.remove_countries:
        if c not in countries:
            problems.append(
                Problem(f"remove_countries: unknown country {c!r}", path, scenario.lines.get("remove_countries"))
            )
    for input_id in scenario.unbridge:
        if input_id not in inputs and input_id != "fabrication":
            problems.append(Problem(f"unbridge: unknown input {input_id!r}", path, scenario.lines.get("unbridge")))
    providers = set(G.graph.get("provider_country", {}))  # organisations, countries, jurisdictions
    for i, add in enumerate(scenario.add_providers):
        line = scenario.lines.get(f"add_providers/{i}")
        if add["provider"] not in entities:
            problems.append(
                Problem(
                    f"add_providers: unknown provider {add['provider']!r}",
                    path,
                    line,
                    hint="name an organisation of the graph by its id",
                )
            )
        elif add["provider"] not in providers:
            problems.append(
                Problem(
                    f"add_providers: {add['provider']!r} is not an organisation or a country",
                    path,
                    line,
                    hint="a provider is a firm (or a country) of the graph, not a measure or a product",
                )
            )
        if add.get("country") and add["country"] not in countries:
            problems.append(
                Problem(
                    f"add_providers: unknown country {add['country']!r}",
                    path,
                    line,
                    hint="use the ISO 3166-1 alpha-3 code of a country in the graph",
                )
            )
        if add["input"] not in inputs and add["input"] != "hbm":
            problems.append(Problem(f"add_providers: unknown input {add['input']!r}", path, line))
    if problems:
        raise InputError(f"scenario {scenario.name!r} names unknown entities, or entities of the wrong kind", problems)

    H = G.copy()
    H.graph = dict(G.graph)
    H.graph["measures"] = measures
    H.graph["scenario"] = scenario.name
    gone = set(scenario.remove_providers)
    dead_countries = set(scenario.remove_countries)
    H.remove_edges_from(
        [
            (u, v)
            for u, v, d in G.edges(data=True)
            if "candidates" in d and (d.get("provider") in gone or d.get("provider_country") in dead_countries)
        ]
    )
    for add in scenario.add_providers:
        provider = add["provider"]
        country = add.get("country") or H.graph.get("provider_country", {}).get(provider, "")
        pnode = nodeids.provider(provider)
        if pnode not in H:
            H.add_node(
                pnode,
                kind="provider",
                gate="and",
                basic=True,
                entity=provider,
                label=H.graph.get("labels", {}).get(provider, provider),
                country=country,
            )
        for node, data in list(H.nodes(data=True)):
            if data.get("kind") != "supply":
                continue
            sample = next((d for _, _, d in H.out_edges(node, data=True) if "candidates" in d), None)
            ancestors = sample["item_ancestors"] if sample else ()
            if data.get("entity") != add["input"] and add["input"] not in ancestors:
                continue
            H.add_edge(
                node,
                pnode,
                relation="provided-by",
                item=data["entity"],
                item_ancestors=ancestors,
                buyer_parties=sample["buyer_parties"] if sample else (),
                buyer_country=sample["buyer_country"] if sample else "",
                provider=provider,
                provider_country=country,
                share=add.get("share"),
                sources=(),
                confidence="hypothetical",
                candidates=(),
                foreign_reach_in_part=bool(sample and sample.get("foreign_reach_in_part")),
                cut_by=(),
            )
    recompute_candidates(H)
    return H


def compare(baseline: list[dict[str, Any]], scenario: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of what a scenario changes, per accelerator: new, removed and changed chokepoints."""
    rows: list[dict[str, Any]] = []
    before = {r["accelerator"]: r for r in baseline}
    after = {r["accelerator"]: r for r in scenario}
    for acc in sorted(set(before) | set(after)):
        b, a = before.get(acc), after.get(acc)
        label = (a or b or {}).get("accelerator_label", acc)
        for flag in ("feasible", "feasible_with_stock"):
            if b and a and b[flag] != a[flag]:
                rows.append(
                    {
                        "accelerator": acc,
                        "accelerator_label": label,
                        "change": "changed",
                        "key": flag,
                        "before": b[flag],
                        "after": a[flag],
                        "order": None,
                        "measures_before": [],
                        "measures_after": [],
                    }
                )
        bk = {r["key"]: r for r in (b or {}).get("chokepoints", [])}
        ak = {r["key"]: r for r in (a or {}).get("chokepoints", [])}
        for key in sorted(set(bk) | set(ak)):
            x, y = bk.get(key), ak.get(key)  # a row has a key: only a missing one is falsy
            if y is None:
                change, latest = "removed", bk[key]
            elif x is None:
                change, latest = "new", y
            elif (x["order"], x["kind"], x["measures"], x["items"]) != (
                y["order"],
                y["kind"],
                y["measures"],
                y["items"],
            ):
                change, latest = "changed", y
            else:
                continue
            rows.append(
                {
                    "accelerator": acc,
                    "accelerator_label": label,
                    "change": change,
                    "key": key,
                    "before": x["kind"] if x else None,
                    "after": y["kind"] if y else None,
                    "order": latest["order"],
                    "measures_before": x["measures"] if x else [],
                    "measures_after": y["measures"] if y else [],
                }
            )
    return rows

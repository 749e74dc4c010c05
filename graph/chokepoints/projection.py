"""Project the RDF graph into a networkx AND/OR dependency graph, through SPARQL only.

The queries go through the :class:`graph.store.local.GraphStore` API, so the projection works on the
embedded store, an in-memory store or a remote endpoint alike. The model is described in the
package docstring (:mod:`graph.chokepoints`); this module builds it:

- ``acc:<id>``       AND   the accelerator needs its design, fabrication, packaging and memory;
- ``stage:<id>:<s>`` AND (design, packaging, memory) / OR (fabrication: any of its foundry routes);
- ``route:<id>:<foundry>:<node>`` AND   the foundry itself and what fabrication at that node needs;
- ``need:<input>@<buyer>`` AND   an input and everything that goes into it (``cg:goesInto``,
  followed backwards within the input's stage);
- ``supply:<input>@<buyer>`` OR  the input's providers (``cg:Provision``) and its variants
  (``cg:isTypeOf``);
- ``anyof:<rule>@<buyer>`` OR   the alternatives of a requirement rule (``cg:requiresAnyOf``);
- ``provider:<id>`` basic   a firm (or, where ETO gives only country shares, a country).

Edges from an OR node to a provider (``provided-by``) or to a foundry route (``fabricated-by``)
are *supply edges*: they carry what the measure rule needs (item, buyer parties and country,
provider country), the measures that could cut them (``candidates``) and, for the graph's date,
those that do (``cut_by``). Every edge carries the ids of the sources that state it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.chokepoints.measures import (
    CONFIDENCE_RANK,
    Measure,
    candidate_measures,
    cutting_measures,
    parse_date,
)
from graph.vocab.namespaces import CG, ID, entity_id_of

__all__ = ["dependency_graph", "annotate_cuts", "load_model", "Model", "SUPPLY_RELATIONS", "DOMESTIC"]

#: The country whose accelerators and providers are "domestic".
DOMESTIC = "CHN"
#: Edge relations that a measure can cut.
SUPPLY_RELATIONS = ("provided-by", "fabricated-by")
ACCELERATOR_CLASSES = {"AIAccelerator", "GPU", "NPU", "ASIC"}
INPUT_CLASSES = {"SupplyChainInput", "Process", "Tool", "Material", "DesignResource", "UltimateOutput"}

FACT_PROPS = (
    "designedBy",
    "fabricatedBy",
    "processNode",
    "nodeOperatedBy",
    "nodeSizeNm",
    "memoryTechnology",
    "memorySupplier",
    "requiresInput",
    "requiresAnyOf",
    "ruleAppliesTo",
    "maxNodeSizeNm",
    "parentOrganisation",
    "country",
    "goesInto",
    "isTypeOf",
    "inStage",
    "provider",
    "providedInput",
    "sharePercent",
    "year",
    "effectiveDate",
    "endDate",
    "publicationDate",
    "legalCitation",
    "listsParty",
    "coversInput",
    "coversProduct",
    "appliesToDestination",
    "jurisdiction",
    "reachesForeignProducts",
    "imposedBy",
    "scopeNote",
)

FACTS_QUERY = (
    """
SELECT ?s ?p ?o ?src ?conf ?from ?until WHERE {
  VALUES ?p { PREDICATES }
  GRAPH ?g { ?s ?p ?o }
  OPTIONAL { ?g cg:statedIn ?src }
  OPTIONAL { ?g cg:confidence ?conf }
  OPTIONAL { ?g cg:validFrom ?from }
  OPTIONAL { ?g cg:validUntil ?until }
}
"""
).replace("PREDICATES", " ".join(f"cg:{p}" for p in FACT_PROPS))

#: Asserted types only: :meth:`Model.has_type` closes over the superclasses itself, and a measure's
#: kind is its most specific class (the inferred graph would make every cg:ListEntry a measure).
TYPES_QUERY = """
SELECT DISTINCT ?e ?t WHERE {
  ?e a ?t . FILTER NOT EXISTS { GRAPH cggraph:inferred { ?e a ?t } }
  FILTER(STRSTARTS(STR(?t), STR(cg:))) FILTER(STRSTARTS(STR(?e), STR(cgid:)))
}
"""

LABELS_QUERY = """
SELECT ?e ?label WHERE {
  ?e rdfs:label ?label .
  FILTER(STRSTARTS(STR(?e), STR(cgid:)))
  FILTER(LANG(?label) = "en" || LANG(?label) = "")
}
"""

SUBCLASS_QUERY = """
SELECT DISTINCT ?c ?sup WHERE { ?c rdfs:subClassOf+ ?sup . FILTER(STRSTARTS(STR(?c), STR(cg:))) }
"""

SOURCES_QUERY = """
SELECT ?src ?title ?publisher ?date ?url WHERE {
  ?src a cg:Source .
  OPTIONAL { ?src dcterms:title ?title }
  OPTIONAL { ?src cg:publisher ?publisher }
  OPTIONAL { ?src dcterms:date ?date }
  OPTIONAL { ?src cg:url ?url }
}
"""


@dataclass
class Claim:
    """What the graph says about one (subject, property, value): its sources, best confidence, validity."""

    sources: set[str] = field(default_factory=set)
    confidence: str = "low"
    valid_from: str | None = None
    valid_until: str | None = None


@dataclass
class Model:
    """The facts the projection needs, read from the store as plain Python data."""

    facts: dict[str, dict[str, dict[str, Claim]]]  # subject id -> property -> value -> claim
    types: dict[str, set[str]]
    labels: dict[str, str]
    superclasses: dict[str, set[str]]
    sources: dict[str, dict[str, Any]]

    min_confidence: str = "low"

    def values(self, subject: str, prop: str) -> list[str]:
        """Values of a property whose best claim is at least ``min_confidence``."""
        floor = CONFIDENCE_RANK[self.min_confidence]
        claims = self.facts.get(subject, {}).get(prop, {})
        return sorted(v for v, c in claims.items() if CONFIDENCE_RANK.get(c.confidence, 0) >= floor)

    def claim(self, subject: str, prop: str, value: str) -> Claim | None:
        return self.facts.get(subject, {}).get(prop, {}).get(value)

    def label(self, entity: str) -> str:
        return self.labels.get(entity, entity)

    def has_type(self, entity: str, classes: set[str]) -> bool:
        for t in self.types.get(entity, ()):
            if t in classes or self.superclasses.get(t, set()) & classes:
                return True
        return False


def _term_id(term: Any) -> str | None:
    """An IRI as an entity id or a cg local name; a literal as its text."""
    if term is None:
        return None
    value = term.value
    if type(term).__name__ == "NamedNode":
        if value.startswith(ID):
            return entity_id_of(value)
        if value.startswith(CG):
            return value[len(CG) :]
        if "/source/" in value:
            return value.rsplit("/", 1)[1]
        return value
    return value


def load_model(store: Any) -> Model:
    """Read everything the projection needs with five SPARQL queries."""
    facts: dict[str, dict[str, dict[str, Claim]]] = defaultdict(lambda: defaultdict(dict))
    for row in store.select(FACTS_QUERY):
        s, p, o = _term_id(row["s"]), _term_id(row["p"]), _term_id(row["o"])
        if s is None or p is None or o is None:
            continue
        claim = facts[s][p].setdefault(o, Claim())
        if row.get("src") is not None:
            claim.sources.add(_term_id(row["src"]) or "")
        conf = _term_id(row.get("conf"))
        if conf:
            level = conf.removesuffix("Confidence").lower()
            if CONFIDENCE_RANK.get(level, 0) >= CONFIDENCE_RANK.get(claim.confidence, 0):
                claim.confidence = level
        if row.get("from") is not None:
            claim.valid_from = row["from"].value
        if row.get("until") is not None:
            claim.valid_until = row["until"].value
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.select(TYPES_QUERY):
        types[_term_id(row["e"]) or ""].add(_term_id(row["t"]) or "")
    labels: dict[str, str] = {}
    for row in store.select(LABELS_QUERY):
        e = _term_id(row["e"]) or ""
        if e not in labels or row["label"].language == "en":
            labels[e] = row["label"].value
    superclasses: dict[str, set[str]] = defaultdict(set)
    for row in store.select(SUBCLASS_QUERY):
        superclasses[_term_id(row["c"]) or ""].add(_term_id(row["sup"]) or "")
    sources: dict[str, dict[str, Any]] = {}
    for row in store.select(SOURCES_QUERY):
        sid = _term_id(row["src"]) or ""
        sources[sid] = {
            "id": sid,
            **{k: (row[k].value if row.get(k) is not None else None) for k in ("title", "publisher", "date", "url")},
        }
    return Model(
        facts={k: dict(v) for k, v in facts.items()},
        types=dict(types),
        labels=labels,
        superclasses=dict(superclasses),
        sources=sources,
    )


def load_measures(model: Model) -> dict[str, Measure]:
    """Every cg:EntityListing / cg:ItemControl of the graph as a :class:`Measure`."""
    measures: dict[str, Measure] = {}
    for mid in sorted(model.types):
        kinds = model.types[mid] & {"EntityListing", "ItemControl", "ExportControlMeasure"}
        if not kinds:
            continue
        eff_values = model.values(mid, "effectiveDate")
        effective = min((dt.date.fromisoformat(v[:10]) for v in eff_values if len(v) >= 10), default=None)
        conf = "low"
        for v in eff_values:
            c = model.claim(mid, "effectiveDate", v)
            if c and CONFIDENCE_RANK[c.confidence] > CONFIDENCE_RANK[conf]:
                conf = c.confidence
        ends = [dt.date.fromisoformat(v[:10]) for v in model.values(mid, "endDate") if len(v) >= 10]
        reach = any(v.lower() in ("true", "1") for v in model.values(mid, "reachesForeignProducts"))
        srcs: set[str] = set()
        for prop_claims in model.facts.get(mid, {}).values():
            for claim in prop_claims.values():
                srcs |= claim.sources
        measures[mid] = Measure(
            id=mid,
            label=model.label(mid),
            kind=sorted(kinds)[0],
            jurisdiction=frozenset(model.values(mid, "jurisdiction")),
            effective=effective,
            end=min(ends) if ends else None,
            parties=frozenset(model.values(mid, "listsParty")),
            destinations=frozenset(model.values(mid, "appliesToDestination")),
            items=frozenset(model.values(mid, "coversInput") + model.values(mid, "coversProduct")),
            reaches_foreign=reach,
            legal_citation="; ".join(model.values(mid, "legalCitation")),
            scope_note=" ".join(model.values(mid, "scopeNote")),
            confidence=conf,
            sources=tuple(sorted(srcs)),
        )
    return measures


class _Builder:
    """Builds the dependency graph of every accelerator from a :class:`Model`."""

    def __init__(self, model: Model, measures: Mapping[str, Measure]):
        self.m = model
        self.measures = measures
        self.G = nx.DiGraph()
        self.inputs = {e for e in model.types if model.has_type(e, INPUT_CLASSES)}
        self.goes_into_children: dict[str, list[str]] = defaultdict(list)
        self.variants: dict[str, list[str]] = defaultdict(list)
        for e in sorted(self.inputs):
            for target in model.values(e, "goesInto"):
                self.goes_into_children[target].append(e)
            for target in model.values(e, "isTypeOf"):
                self.variants[target].append(e)
        self.providers_of = self._provisions()
        self.rules = sorted(e for e, t in model.types.items() if "RequirementRule" in t)
        self._stage_cache: dict[str, str | None] = {}

    # -- facts helpers ---------------------------------------------------------------------------
    def sources(self, subject: str, prop: str, value: str) -> list[str]:
        claim = self.m.claim(subject, prop, value)
        return sorted(claim.sources) if claim else []

    def confidence(self, subject: str, prop: str, value: str) -> str:
        claim = self.m.claim(subject, prop, value)
        return claim.confidence if claim else "low"

    def country_of(self, entity: str | None) -> str | None:
        if entity is None:
            return None
        if self.m.has_type(entity, {"Country"}):
            return entity
        countries = self.m.values(entity, "country")
        return countries[0] if countries else None

    def parties_of(self, orgs: Iterable[str]) -> tuple[str, ...]:
        """The organisations and everything above them (cg:parentOrganisation), for listing checks."""
        seen: set[str] = set()
        todo = list(orgs)
        while todo:
            org = todo.pop()
            if org in seen:
                continue
            seen.add(org)
            todo += self.m.values(org, "parentOrganisation")
        return tuple(sorted(seen))

    def ancestors(self, item: str) -> tuple[str, ...]:
        """Broader items of ``item`` (isTypeOf, transitively); HBM generations are variants of hbm."""
        seen: list[str] = []
        todo = list(self.m.values(item, "isTypeOf"))
        while todo:
            x = todo.pop()
            if x not in seen:
                seen.append(x)
                todo += self.m.values(x, "isTypeOf")
        if item != "hbm" and (self.m.has_type(item, {"HBMGeneration"}) or item.startswith("hbm")):
            seen.append("hbm")
        return tuple(sorted(seen))

    def stage_of(self, item: str) -> str | None:
        """'design', 'fabrication' or 'packaging', from cg:inStage of the item or of what it goes into."""
        if item in self._stage_cache:
            return self._stage_cache[item]
        result = None
        seen = {item}
        frontier = [item]
        while frontier and result is None:
            nxt = []
            for x in frontier:
                for st in self.m.values(x, "inStage"):
                    label = self.m.label(st).lower()
                    result = "design" if "design" in label else "fabrication" if "fabrication" in label else "packaging"
                    break
                if result:
                    break
                for y in self.m.values(x, "goesInto") + self.m.values(x, "isTypeOf"):
                    if y not in seen:
                        seen.add(y)
                        nxt.append(y)
            frontier = sorted(nxt)
        self._stage_cache[item] = result
        return result

    def _provisions(self) -> dict[str, list[tuple[str, float | None, list[str], str]]]:
        """input id -> [(provider, share, sources, confidence)], firms where known, else countries."""
        raw: dict[str, list[tuple[str, float | None, list[str], str]]] = defaultdict(list)
        for prov in sorted(e for e, t in self.m.types.items() if "Provision" in t):
            providers = self.m.values(prov, "provider")
            inputs = self.m.values(prov, "providedInput")
            shares = self.m.values(prov, "sharePercent")
            share = float(shares[0]) if shares else None
            for p in providers:
                if self.m.label(p).lower().startswith("various"):
                    continue  # ETO's unattributed remainder is not a provider one can name or cut
                for i in inputs:
                    srcs = sorted(set(self.sources(prov, "provider", p)) | set(self.sources(prov, "providedInput", i)))
                    raw[i].append((p, share, srcs, self.confidence(prov, "provider", p)))
        self.raw_provisions = {i: sorted(rows) for i, rows in raw.items()}
        out = {}
        for i, rows in raw.items():
            firms = [r for r in rows if not self.m.has_type(r[0], {"Country", "Jurisdiction"})]
            out[i] = sorted(firms or rows)
        return out

    # -- nodes -----------------------------------------------------------------------------------
    def add_node(self, node: str, **attrs: Any) -> str:
        if node not in self.G:
            self.G.add_node(node, **attrs)
        return node

    def provider_node(self, provider: str) -> str:
        node = f"provider:{provider}"
        country = self.country_of(provider)
        return self.add_node(
            node,
            kind="provider",
            gate="and",
            basic=True,
            entity=provider,
            label=self.m.label(provider),
            country=country or "",
        )

    def supply_edge(
        self,
        parent: str,
        child: str,
        *,
        relation: str,
        item: str,
        buyer_parties: tuple[str, ...],
        buyer_country: str | None,
        provider: str,
        share: float | None,
        sources: list[str],
        confidence: str,
    ) -> None:
        provider_country = self.country_of(provider)
        ancestors = self.ancestors(item)
        self.G.add_edge(
            parent,
            child,
            relation=relation,
            item=item,
            item_ancestors=ancestors,
            buyer_parties=buyer_parties,
            buyer_country=buyer_country or "",
            provider=provider,
            provider_country=provider_country or "",
            share=share,
            sources=tuple(sources),
            confidence=confidence,
            candidates=candidate_measures(
                self.measures,
                item=item,
                item_ancestors=ancestors,
                buyer_parties=buyer_parties,
                buyer_country=buyer_country,
                provider_country=provider_country,
            ),
            cut_by=(),
        )

    def fact_edge(self, parent: str, child: str, relation: str, fact: tuple[str, str, str], **attrs: Any) -> None:
        """An edge stated by the claim ``fact`` = (subject, property, value): its sources and confidence."""
        self.G.add_edge(
            parent,
            child,
            relation=relation,
            sources=tuple(self.sources(*fact)),
            confidence=self.confidence(*fact),
            **attrs,
        )

    def provided_by(
        self,
        parent: str,
        item: str,
        provider: str,
        share: float | None,
        sources: list[str],
        confidence: str,
        parties: tuple[str, ...],
        country: str | None,
    ) -> None:
        """The supply edge from an OR node over ``item`` to one provider of it."""
        self.supply_edge(
            parent,
            self.provider_node(provider),
            relation="provided-by",
            item=item,
            buyer_parties=parties,
            buyer_country=country,
            provider=provider,
            share=share,
            sources=sources,
            confidence=confidence,
        )

    def need(
        self,
        item: str,
        buyer: str,
        parties: tuple[str, ...],
        country: str | None,
        stage: str | None,
        trail: tuple[str, ...] = (),
    ) -> str:
        """The node standing for 'the buyer has ``item`` and everything that goes into it'."""
        node = f"need:{item}@{buyer}"
        if node in self.G:
            return node
        self.add_node(node, kind="need", gate="and", entity=item, buyer=buyer, label=self.m.label(item))
        supply = self.supply(item, buyer, parties, country, stage, trail + (item,))
        if supply is not None:
            self.G.add_edge(node, supply, relation="supplied-as", sources=(), confidence="high")
        for child in sorted(self.goes_into_children.get(item, [])):
            if self.m.has_type(child, {"Process"}) and self.stage_of(child) not in (None, stage):
                continue  # ETO's sequence links stages; requirements stay within the stage
            if self.m.has_type(child, {"DesignResource"}):
                continue  # design categories (logic/memory/DAO design) are markets, not requirements
            if child in trail:
                self.G.graph.setdefault("cycles", []).append(list(trail) + [child])
                continue
            target = self.need(child, buyer, parties, country, stage, trail + (item,))
            self.fact_edge(node, target, "goes-into", (child, "goesInto", item))
        return node

    def supply(
        self,
        item: str,
        buyer: str,
        parties: tuple[str, ...],
        country: str | None,
        stage: str | None,
        trail: tuple[str, ...],
    ) -> str | None:
        """OR node over the item's providers and variants; None when the graph knows neither."""
        providers = self.providers_of.get(item, [])
        variants = sorted(self.variants.get(item, []))
        if not providers and not variants:
            return None
        node = f"supply:{item}@{buyer}"
        if node in self.G:
            return node
        self.add_node(node, kind="supply", gate="or", entity=item, buyer=buyer, label=self.m.label(item))
        for provider, share, srcs, conf in providers:
            self.provided_by(node, item, provider, share, srcs, conf, parties, country)
        for variant in variants:
            if variant in trail:
                continue
            target = self.need(variant, buyer, parties, country, stage, trail)
            self.fact_edge(node, target, "variant", (variant, "isTypeOf", item))
        return node

    def requirement(
        self, parent: str, rule: str, buyer: str, parties: tuple[str, ...], country: str | None, stage: str | None
    ) -> None:
        """Attach a rule's AND inputs and its OR group under ``parent``."""
        for item in self.m.values(rule, "requiresInput"):
            if stage is not None and self.stage_of(item) not in (stage, None):
                continue
            target = self.need(item, buyer, parties, country, self.stage_of(item) or stage)
            self.fact_edge(parent, target, "requires", (rule, "requiresInput", item), rule=rule)
        alternatives = self.m.values(rule, "requiresAnyOf")
        if alternatives and (stage is None or self.stage_of(alternatives[0]) in (stage, None)):
            node = self.add_node(
                f"anyof:{rule}@{buyer}",
                kind="alternatives",
                gate="or",
                entity=rule,
                buyer=buyer,
                label="any of: " + ", ".join(self.m.label(a) for a in alternatives),
            )
            for alt in alternatives:
                target = self.need(alt, buyer, parties, country, self.stage_of(alt) or stage)
                self.fact_edge(node, target, "alternative", (rule, "requiresAnyOf", alt))
            self.G.add_edge(
                parent,
                node,
                relation="requires",
                sources=tuple(self.sources(rule, "requiresAnyOf", alternatives[0])),
                confidence="high",
                rule=rule,
            )

    def rules_for(self, acc: str, node: str | None) -> tuple[list[str], list[str]]:
        """(class rules that apply to the accelerator, node rules that apply to the process node)."""
        class_rules, node_rules = [], []
        size = None
        if node is not None:
            sizes = self.m.values(node, "nodeSizeNm")
            size = min(float(s) for s in sizes) if sizes else None
        for rule in self.rules:
            applies = self.m.values(rule, "ruleAppliesTo")
            classes = {a for a in applies if a and a[0].isupper()}
            if classes and self.m.has_type(acc, classes):
                class_rules.append(rule)
                continue
            limits = self.m.values(rule, "maxNodeSizeNm")
            if node is not None and (
                node in applies or (size is not None and limits and size <= max(float(x) for x in limits))
            ):
                node_rules.append(rule)
        return class_rules, node_rules

    def accelerator(self, acc: str) -> str:
        m = self.m
        designers = m.values(acc, "designedBy")
        parties = self.parties_of(designers)
        country = next((self.country_of(d) for d in designers if self.country_of(d)), None)
        if country is None:
            country = next((self.country_of(p) for p in parties if self.country_of(p)), None)
        buyer = "+".join(designers) or acc
        root = self.add_node(
            f"acc:{acc}",
            kind="accelerator",
            gate="and",
            entity=acc,
            label=m.label(acc),
            designers=tuple(designers),
            country=country or "",
            domestic=country == DOMESTIC,
        )
        class_rules, _ = self.rules_for(acc, None)

        # design and packaging: the designer buys (the packager is not in the graph)
        for stage in ("design", "packaging"):
            node = self.add_node(f"stage:{acc}:{stage}", kind="stage", gate="and", entity=acc, label=stage)
            for rule in class_rules:
                self.requirement(node, rule, buyer, parties, country, stage)
            for item in m.values(acc, "requiresInput"):
                if self.stage_of(item) == stage:
                    self.G.add_edge(
                        node,
                        self.need(item, buyer, parties, country, stage),
                        relation="requires",
                        sources=tuple(self.sources(acc, "requiresInput", item)),
                        confidence="high",
                    )
            if self.G.out_degree(node):
                self.G.add_edge(root, node, relation="stage", sources=(), confidence="high")
            else:
                self.G.remove_node(node)

        # fabrication: any of the foundry routes; the foundry buys the fab inputs
        fab = self.add_node(
            f"stage:{acc}:fabrication", kind="stage", gate="or", entity=acc, label="fabrication", buyer=buyer
        )
        self.G.add_edge(root, fab, relation="stage", sources=(), confidence="high")
        nodes = m.values(acc, "processNode")
        foundries = {f: ("fabricatedBy", acc, f) for f in m.values(acc, "fabricatedBy")}
        for n in nodes:
            for f in m.values(n, "nodeOperatedBy"):
                foundries.setdefault(f, ("processNode", acc, n))  # inferred from the node's operator
        if not foundries:
            foundries = {"": ("", acc, "")}
        for foundry, (prop, subj, val) in sorted(foundries.items()):
            fnodes = [n for n in nodes if foundry and foundry in m.values(n, "nodeOperatedBy")] or [None]
            for n in fnodes:
                route = f"route:{acc}:{foundry or 'unknown'}:{n or '-'}"
                fab_buyer = foundry or buyer
                fab_parties = self.parties_of([foundry]) if foundry else ()  # an unnamed foundry is not listed
                fab_country = (self.country_of(foundry) if foundry else country) or country
                label = f"{m.label(foundry) if foundry else 'unknown foundry'}" + (f" {m.label(n)}" if n else "")
                self.add_node(route, kind="route", gate="and", entity=foundry, process_node=n or "", label=label)
                if foundry:
                    srcs = self.sources(subj, prop, val) + (self.sources(acc, "processNode", n) if n else [])
                    self.supply_edge(
                        fab,
                        route,
                        relation="fabricated-by",
                        item=acc,
                        buyer_parties=parties,
                        buyer_country=country,
                        provider=foundry,
                        share=None,
                        sources=sorted(set(srcs)),
                        confidence=self.confidence(subj, prop, val),
                    )
                    self.G.add_edge(
                        route,
                        self.provider_node(foundry),
                        relation="operated-by",
                        sources=tuple(self.sources(n, "nodeOperatedBy", foundry)) if n else (),
                        confidence="high",
                    )
                else:
                    self.G.add_edge(fab, route, relation="fabricated-by-unknown", sources=(), confidence="low")
                _, node_rules = self.rules_for(acc, n)
                for rule in class_rules + node_rules:
                    self.requirement(route, rule, fab_buyer, fab_parties, fab_country, "fabrication")
                for item in m.values(acc, "requiresInput") + (m.values(n, "requiresInput") if n else []):
                    if self.stage_of(item) == "fabrication":
                        self.G.add_edge(
                            route,
                            self.need(item, fab_buyer, fab_parties, fab_country, "fabrication"),
                            relation="requires",
                            sources=(),
                            confidence="high",
                        )
        if not self.G.out_degree(fab):
            self.G.remove_node(fab)

        # memory: the accelerator's memory technology, from its documented suppliers and the market
        techs = m.values(acc, "memoryTechnology")
        suppliers = m.values(acc, "memorySupplier")
        item = techs[0] if techs else "memory"
        providers: dict[str, tuple[float | None, list[str], str]] = {}
        for t in techs:
            keys = [t] + (["hbm"] if "hbm" in self.ancestors(t) else [])
            for key in keys:
                for p, share, srcs, conf in self.providers_of.get(key, []):
                    providers.setdefault(p, (share, srcs, conf))
        for s in suppliers:
            share, srcs, conf = providers.get(s, (None, [], "low"))
            providers[s] = (
                share,
                sorted(set(srcs) | set(self.sources(acc, "memorySupplier", s))),
                self.confidence(acc, "memorySupplier", s),
            )
        if providers:
            stage = self.add_node(f"stage:{acc}:memory", kind="stage", gate="and", entity=acc, label="memory")
            self.G.add_edge(root, stage, relation="stage", sources=(), confidence="high")
            supply = self.add_node(
                f"supply:{item}@{acc}", kind="supply", gate="or", entity=item, buyer=buyer, label=m.label(item)
            )
            self.G.add_edge(
                stage,
                supply,
                relation="requires",
                sources=tuple(self.sources(acc, "memoryTechnology", item)) if techs else (),
                confidence="high",
            )
            for p, (share, srcs, conf) in sorted(providers.items()):
                self.provided_by(supply, item, p, share, srcs, conf, parties, country)
        return root


def annotate_cuts(G: nx.DiGraph, as_of: dt.date | str | None = None, *, min_confidence: str = "medium") -> nx.DiGraph:
    """Set ``cut_by`` on every supply edge for the date (in place) and record it in ``G.graph``."""
    date = parse_date(as_of, "--as-of date") or dt.date.today()
    measures = G.graph.get("measures", {})
    for _, _, data in G.edges(data=True):
        if "candidates" in data:
            data["cut_by"] = cutting_measures(measures, data["candidates"], date, min_confidence)
    G.graph["as_of"] = date.isoformat()
    G.graph["min_confidence"] = min_confidence
    return G


def recompute_candidates(G: nx.DiGraph) -> None:
    """Re-derive every supply edge's candidate measures (after a scenario changed the measures)."""
    measures = G.graph.get("measures", {})
    for _, _, data in G.edges(data=True):
        if "candidates" in data:
            data["candidates"] = candidate_measures(
                measures,
                item=data["item"],
                item_ancestors=data["item_ancestors"],
                buyer_parties=data["buyer_parties"],
                buyer_country=data["buyer_country"] or None,
                provider_country=data["provider_country"] or None,
            )


def dependency_graph(
    store: Any, as_of: dt.date | str | None = None, scenario: Any = None, *, min_confidence: str = "medium"
) -> nx.DiGraph:
    """The AND/OR dependency graph of every accelerator in the store, with cuts as of a date.

    Parameters
    ----------
    store : GraphStore
        Any store with ``select`` (embedded, in-memory or remote).
    as_of : date or "YYYY-MM-DD", optional
        The date whose measures cut supply edges; default today.
    scenario : Scenario or path, optional
        A what-if scenario (see :mod:`graph.chokepoints.scenarios`) applied before the cuts.
    min_confidence : {"low", "medium", "high"}
        Ignore measures whose effective date is less certain than this.

    Returns
    -------
    networkx.DiGraph
        Nodes and edges as described in the module docstring; ``G.graph`` holds ``measures``
        (id -> :class:`Measure`), ``sources`` (id -> title, publisher, date, url), ``accelerators``
        (ids), ``cycles`` (requirement loops found and broken) and ``as_of``.
    """
    model = load_model(store)
    measures = load_measures(model)
    model.min_confidence = min_confidence  # structural claims below this are left out too
    builder = _Builder(model, measures)
    G = builder.G
    G.graph.update(measures=measures, sources=model.sources, cycles=[], scenario=None)
    accelerators = sorted(e for e in model.types if model.has_type(e, ACCELERATOR_CLASSES))
    for acc in accelerators:
        builder.accelerator(acc)
    G.graph["accelerators"] = accelerators
    G.graph["labels"] = {e: model.label(e) for e in set(model.labels)}
    G.graph["entities"] = sorted(model.types)
    G.graph["inputs"] = sorted(builder.inputs)
    G.graph["provider_country"] = {
        e: builder.country_of(e) or ""
        for e in model.types
        if model.has_type(e, {"Organisation", "Country", "Jurisdiction"})
    }
    G.graph["provisions"] = {i: [(p, s) for p, s, _, _ in rows] for i, rows in builder.providers_of.items()}
    G.graph["country_provisions"] = {
        i: [(p, s) for p, s, _, _ in rows if model.has_type(p, {"Country", "Jurisdiction"})]
        for i, rows in builder.raw_provisions.items()
    }
    if scenario is not None:
        from graph.chokepoints.scenarios import apply_scenario, as_scenario

        scenario = as_scenario(scenario)
        G = apply_scenario(G, scenario)
        if scenario.as_of and as_of is None:
            as_of = scenario.as_of
    return annotate_cuts(G, as_of, min_confidence=min_confidence)

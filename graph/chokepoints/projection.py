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
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, TypedDict

import networkx as nx

from graph.chokepoints import nodeids
from graph.chokepoints.bulk_lists import bulk_listing_measures
from graph.chokepoints.cuts import annotate_cuts
from graph.chokepoints.measures import (
    Measure,
    candidate_measures,
    in_part_candidates,
)
from graph.read.model import (
    ACCELERATOR_CLASSES,
    DOMESTIC,
    Claim,
    Model,
    load_model,
    measure_facts,
)
from graph.read.releases import PriorRow, Release, eto_releases, is_current_eto, prior_rows, release_on, share_trends

__all__ = [
    "dependency_graph",
    "annotate_cuts",
    "load_model",
    "load_measures",
    "Claim",
    "Model",
    "SUPPLY_RELATIONS",
    "DOMESTIC",
]

ISO3 = re.compile(r"[A-Z]{3}")
#: ETO's provider "Various companies": the firms it leaves unnamed, of every country together.
UNATTRIBUTED_FIRMS = "various-companies"
#: A country's ETO share that its named firms leave unaccounted, kept as "unnamed firms" from this size (percent).
RESIDUAL_MIN_PERCENT = 0.1
#: A Chinese provider is a full substitute where a source says it serves this node size (nm) or smaller.
CAPABILITY_NODE_NM = 7.0
#: The ETO output a foundry route supplies: a control on it (the 2024-11 order to TSMC, the 2025-01
#: foundry rule) cuts the route.
FOUNDRY_OUTPUT = "finished-logic-chip"
#: The supply of 2.5D (CoWoS-class) packaging that an HBM-bearing accelerator needs: the item of
#: its packaging routes (a supply rule with purchaser role ``ADVANCED_PACKAGER`` says what it needs).
ADVANCED_PACKAGING = "advanced-packaging-2-5d"
ADVANCED_PACKAGER = "advanced packager"
#: The purchaser role of the rule that lists the tools a domestic HBM maker needs to stack DRAM dies
HBM_MAKER = "HBM maker"
#: Edge relations that a measure can cut.
SUPPLY_RELATIONS = ("provided-by", "fabricated-by", "packaged-by", "stacked-by")
INPUT_CLASSES = {"SupplyChainInput", "Process", "Tool", "Material", "DesignResource", "UltimateOutput"}
# The model (Claim, Model, load_model), "domestic" and the accelerator classes are defined once, in
# the read model (graph.read.model); they are re-exported here for the builder and older callers.


class _SupplyRule(TypedDict):
    """What the measure rule reads of a supply edge: the keywords of :func:`candidate_measures`."""

    item: str
    item_ancestors: tuple[str, ...]
    buyer_parties: tuple[str, ...]
    buyer_country: str | None
    provider_country: str | None
    provider: str | None
    foreign_reach_in_part: bool


def load_measures(model: Model) -> dict[str, Measure]:
    """Every cg:EntityListing / cg:ItemControl of the graph as a :class:`Measure`."""
    return {
        mid: Measure(
            id=f.id,
            label=f.label,
            kind=f.kind,
            jurisdiction=f.jurisdiction,
            effective=f.effective,
            end=f.end,
            parties=f.parties,
            destinations=f.destinations,
            items=f.items,
            reaches_foreign=f.reaches_foreign,
            legal_citation=f.legal_citation,
            scope_note=f.scope_note,
            confidence=f.confidence,
            sources=f.sources,
            partial_items=f.partial_items,
            servicing_items=f.servicing_items,
            providers=f.providers,
            exempt_countries=f.exempt_countries,
            covers_nothing=f.covers_nothing,
            suspended=f.suspended,
        )
        for mid, f in measure_facts(model).items()
    }


class _Builder:
    """Builds the dependency graph of every accelerator from a :class:`Model`."""

    def __init__(
        self,
        model: Model,
        measures: Mapping[str, Measure],
        release: Release | None = None,
        prior: Iterable[PriorRow] = (),
    ):
        self.m = model
        self.measures = measures
        #: the ETO release whose shares the graph uses (None or the current one: cg:Provision as stated)
        self.release = release
        #: the cg:PriorProvision rows of that release when it is an earlier one
        self.prior = [r for r in prior if release is not None and not release.current and r.release == release.id]
        self.G = nx.DiGraph()
        self.inputs = {e for e in model.types if model.has_type(e, INPUT_CLASSES)}
        #: inputs that some designer makes itself (cg:inHouseSourceOf): for another designer, buying
        #: them is an assumption unless a source says which it does
        self.made_in_house = {v for e in sorted(model.facts) for v in model.values(e, "inHouseSourceOf")}
        self.goes_into_children: dict[str, list[str]] = defaultdict(list)
        self.variants: dict[str, list[str]] = defaultdict(list)
        for e in sorted(self.inputs):
            for target in model.values(e, "goesInto"):
                self.goes_into_children[target].append(e)
            for target in model.values(e, "isTypeOf"):
                self.variants[target].append(e)
        #: ETO shares no named firm accounts for, kept as providers: id -> (label, country)
        self.unnamed: dict[str, tuple[str, str]] = {}
        self.providers_of = self._provisions()
        self.rules = sorted(e for e, t in model.types.items() if "RequirementRule" in t)
        self._stage_cache: dict[str, str | None] = {}
        # cg:SupplyModelRule: who buys an input, and inputs whose variants are all needed
        self.purchaser: dict[str, tuple[str, str]] = {}  # input -> (role, rule)
        self.complements: dict[str, tuple[str, list[str]]] = {}  # input -> (rule, its needed variants)
        #: (rule, the tools a 2.5D packager needs), from the rule whose purchaser is the advanced packager
        self.advanced_packaging: tuple[str, list[str]] | None = None
        #: (rule, the tools a domestic HBM maker needs to stack its DRAM dies), from the HBM-maker rule
        self.hbm_stacking: tuple[str, list[str]] | None = None
        for rule in sorted(e for e, t in model.types.items() if "SupplyModelRule" in t):
            if ADVANCED_PACKAGER in model.values(rule, "purchaserRole"):
                self.advanced_packaging = (rule, sorted(model.values(rule, "requiresInput")))
                continue
            if HBM_MAKER in model.values(rule, "purchaserRole"):
                self.hbm_stacking = (rule, sorted(model.values(rule, "requiresInput")))
                continue
            for role in model.values(rule, "purchaserRole")[:1]:
                for item in model.values(rule, "purchasedInput"):
                    self.purchaser[item] = (role, rule)
            for item in model.values(rule, "variantsAllNeeded"):
                self.complements[item] = (rule, sorted(model.values(rule, "requiresInput")))
        #: (provider, input) -> smallest node (nm) a cg:NodeCapability says the provider's products serve
        self.capable: dict[tuple[str, str], float] = {}
        for cap in sorted(e for e, t in model.types.items() if "NodeCapability" in t):
            sizes = [float(v) for v in model.values(cap, "servesNodeNm")]
            for provider in model.values(cap, "capabilityProvider"):
                for item in model.values(cap, "capabilityInput"):
                    if sizes:
                        self.capable[(provider, item)] = min(sizes + [self.capable.get((provider, item), 1e9)])
        #: inputs left out of a buyer's chain because another party buys them: input -> rule
        self.out_of_scope: dict[str, str] = {}
        self.packagers: dict[str, list[tuple[str, str]]] = defaultdict(list)  # product -> [(packager, relationship)]
        for rel in sorted(e for e, t in model.types.items() if "SupplyRelationship" in t):
            if "packaging" in model.values(rel, "relationshipKind"):
                for product in model.values(rel, "suppliedProduct"):
                    for supplier in model.values(rel, "supplier"):
                        self.packagers[product].append((supplier, rel))

    # -- facts helpers ---------------------------------------------------------------------------
    def sources(self, subject: str, prop: str, value: str) -> list[str]:
        claim = self.m.claim(subject, prop, value)
        return sorted(claim.sources) if claim else []

    def confidence(self, subject: str, prop: str, value: str) -> str:
        claim = self.m.claim(subject, prop, value)
        return claim.confidence if claim else "low"

    def country_of(self, entity: str | None) -> str | None:
        """The read model's country of an entity, and that of the builder's unnamed providers."""
        if entity is not None and entity in self.unnamed:
            return self.unnamed[entity][1]
        return self.m.country_of(entity)

    def parties_of(self, orgs: Iterable[str]) -> tuple[str, ...]:
        """The organisations and everything above them, for listing checks (the read model's rule)."""
        return self.m.parties_of(orgs)

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

    def role_of(self, item: str) -> tuple[str, str] | None:
        """(purchaser role, rule) of ``item`` or of a broader item it is a variant of, if a rule names one."""
        for x in (item, *self.ancestors(item)):
            if x in self.purchaser:
                return self.purchaser[x]
        return None

    def label(self, entity: str) -> str:
        return self.unnamed[entity][0] if entity in self.unnamed else self.m.label(entity)

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
        """input id -> [(provider, share, sources, confidence)]: firms where ETO names them, else countries.

        Where ETO names firms, a country's share that its named firms do not account for is kept
        as one provider "unnamed <country> firms" of that input (ETO leaves firms of countries
        with about 2 % or less unnamed); dropping them made the one named firm of a category look
        like its only source. ETO's "Various companies" row is the same unnamed supply seen from
        the firm side, and the "Various countries" row has no country a control could bind, so
        neither becomes a provider of its own.
        """
        raw: dict[str, list[tuple[str, float | None, list[str], str]]] = defaultdict(list)
        for p, i, share, srcs, conf in self._provision_rows():
            if p == UNATTRIBUTED_FIRMS:
                # ETO's "Various companies" are the unnamed firms whose countries' shares are kept
                # below as "unnamed <country> firms"; kept as well, the same supply counts twice
                continue
            raw[i].append((p, share, srcs, conf))
        self.raw_provisions = {i: sorted(rows) for i, rows in raw.items()}
        out = {}
        for i, rows in raw.items():
            firms = [r for r in rows if not self.m.has_type(r[0], {"Country", "Jurisdiction"})]
            if not firms:
                out[i] = sorted(rows)
                continue
            named: dict[str, float] = defaultdict(float)
            unshared: set[str] = set()  # countries with a named firm whose share ETO does not give
            for p, share, _, _ in firms:
                country = self.country_of(p)
                if country and share is not None:
                    named[country] += share
                elif country:
                    unshared.add(country)
            kept = list(firms)
            for p, share, srcs, conf in rows:
                if share is None or not self.m.has_type(p, {"Country"}) or not ISO3.fullmatch(p) or p in unshared:
                    continue  # no residual where the named firms' own shares are unknown (EDA: firms without shares)
                rest = round(share - named.get(p, 0.0), 3)
                if rest >= RESIDUAL_MIN_PERCENT:
                    pid = f"unnamed-{p.lower()}-{i}"
                    self.unnamed[pid] = (f"unnamed {p} firms ({self.m.label(i)})", p)
                    kept.append((pid, rest, srcs, conf))
            out[i] = sorted(kept)
        return out

    def _provision_rows(self) -> list[tuple[str, str, float | None, list[str], str]]:
        """(provider, input, share, sources, confidence) of the release in use, in provision order.

        For the current release (the default), every cg:Provision. For an earlier one, the
        cg:PriorProvision rows of that release take the place of the current release's rows;
        provisions from other sources (the curated HBM shares) stay.
        """
        earlier = bool(self.prior) or (self.release is not None and not self.release.current)
        rows: list[tuple[str, tuple[str, str, float | None, list[str], str]]] = []
        for prov in sorted(e for e, t in self.m.types.items() if "Provision" in t):
            if earlier and is_current_eto(self.m, prov):
                continue
            shares = self.m.values(prov, "sharePercent")
            share = float(shares[0]) if shares else None
            for p in self.m.values(prov, "provider"):
                for i in self.m.values(prov, "providedInput"):
                    srcs = sorted(set(self.sources(prov, "provider", p)) | set(self.sources(prov, "providedInput", i)))
                    rows.append((prov, (p, i, share, srcs, self.confidence(prov, "provider", p))))
        for r in self.prior:
            rows.append((r.id, (r.provider, r.item, r.share, list(r.sources), r.confidence)))
        return [row for _, row in sorted(rows, key=lambda x: x[0])]

    # -- nodes -----------------------------------------------------------------------------------
    def add_node(self, node: str, **attrs: Any) -> str:
        if node not in self.G:
            self.G.add_node(node, **attrs)
        return node

    def provider_node(self, provider: str) -> str:
        node = nodeids.provider(provider)
        country = self.country_of(provider)
        return self.add_node(
            node,
            kind="provider",
            gate="and",
            basic=True,
            entity=provider,
            label=self.label(provider),
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
        also_covers: tuple[str, ...] = (),
    ) -> None:
        provider_country = self.country_of(provider)
        ancestors = tuple(sorted({*self.ancestors(item), *also_covers}))
        supply = _SupplyRule(
            item=item,
            item_ancestors=ancestors,
            buyer_parties=buyer_parties,
            buyer_country=buyer_country,
            provider_country=provider_country,
            provider=provider,
            foreign_reach_in_part=self.made_abroad_input(item, ancestors),
        )
        candidates = candidate_measures(self.measures, **supply)
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
            candidates=candidates,
            in_part=in_part_candidates(self.measures, candidates, **supply),
            foreign_reach_in_part=supply["foreign_reach_in_part"],
            cut_by=(),
        )

    def made_abroad_input(self, item: str, ancestors: tuple[str, ...]) -> bool:
        """Is ``item`` a manufacturing tool or material, made in a foreign plant (not a chip, not design software)?

        For these a listing's foreign-direct-product reach is coverage in part
        (:func:`graph.chokepoints.measures.listing_reaches_only_in_part`). Chips (HBM stacks,
        foundry output) are what the rules were written to reach. Design software and IP (EDA,
        cores: ETO types EDA as a tool) keep the full reach: whether a foreign EDA vendor's flow
        is a direct product of US software was not examined, and is left as the model had it.
        """
        if "hbm" in (item, *ancestors) or FOUNDRY_OUTPUT in ancestors or self.stage_of(item) == "design":
            return False
        return self.m.has_type(item, {"Tool", "Material"})

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
        *,
        target: str | None = None,
        relation: str = "provided-by",
    ) -> None:
        """The supply edge from an OR node over ``item`` to one provider of it (to ``target``,
        the provider's route, where its supply needs more than the provider itself).

        A Chinese provider to a Chinese buyer is marked ``partial_substitute`` unless a
        cg:NodeCapability says its products of the item serve the 7 nm class.
        """
        target = target or self.provider_node(provider)
        partial = self.partial_substitute(item, provider, country)
        self.supply_edge(
            parent,
            target,
            relation=relation,
            item=item,
            buyer_parties=parties,
            buyer_country=country,
            provider=provider,
            share=share,
            sources=sources,
            confidence=confidence,
        )
        if partial is not None:
            self.G.edges[parent, target]["partial_substitute"] = partial

    def partial_substitute(self, item: str, provider: str, buyer_country: str | None) -> bool | None:
        """For a Chinese provider to a Chinese buyer: True unless a cg:NodeCapability says its
        products of ``item`` serve the 7 nm class; None for any other pair (not a substitute question)."""
        if buyer_country != DOMESTIC or self.country_of(provider) != DOMESTIC:
            return None
        reach = [self.capable.get((provider, x)) for x in (item, *self.ancestors(item))]
        return not any(r is not None and r <= CAPABILITY_NODE_NM for r in reach)

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
        node = nodeids.need(item, buyer)
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
            role = self.role_of(child)
            if role is not None and role[0] == "wafer maker":
                self.out_of_scope[child] = role[1]  # the wafer makers buy it, not the fab
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
        """OR node over the item's providers and variants; None when the graph knows neither.

        An input whose variants complement each other (a cg:SupplyModelRule's
        ``variantsAllNeeded``) gets an AND node over the variants the rule lists instead.
        """
        if item in self.complements:
            return self.all_variants(item, buyer, parties, country, stage, trail)
        providers = self.providers_of.get(item, [])
        variants = sorted(self.variants.get(item, []))
        if not providers and not variants:
            return None
        node = nodeids.supply(item, buyer)
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

    def all_variants(
        self,
        item: str,
        buyer: str,
        parties: tuple[str, ...],
        country: str | None,
        stage: str | None,
        trail: tuple[str, ...],
    ) -> str:
        """AND node over the complementary variants of ``item`` that its rule lists."""
        rule, variants = self.complements[item]
        node = nodeids.all_of(item, buyer)
        if node in self.G:
            return node
        self.add_node(node, kind="complements", gate="and", entity=item, buyer=buyer, label=self.m.label(item))
        for variant in variants:
            if variant in trail:
                continue
            target = self.need(variant, buyer, parties, country, stage, trail)
            self.fact_edge(node, target, "complement", (rule, "requiresInput", variant), rule=rule)
        return node

    def in_house(self, acc: str, buyer: str, designers: list[str]) -> None:
        """Designers that make an input themselves (cg:inHouseSourceOf): a source no control cuts.

        An input that other designers make in house (their own cores) and that no source says this
        designer makes is marked ``source_unsourced`` on its supply node: the graph still offers it
        the world's licensors (ETO's providers), but which of them it licenses, if any, no source
        says (the data has no licence relationships), so no alignment finding rests on them.
        """
        own = {item for designer in designers for item in self.m.values(designer, "inHouseSourceOf")}
        for item in sorted(self.made_in_house - own):
            supply = nodeids.supply(item, buyer)
            if supply in self.G:
                self.G.nodes[supply]["source_unsourced"] = True
        for designer in designers:
            for item in self.m.values(designer, "inHouseSourceOf"):
                supply = nodeids.supply(item, buyer)
                if supply not in self.G:
                    continue
                node = self.add_node(
                    nodeids.in_house(designer, item),
                    kind="in-house",
                    gate="and",  # no children: always available, and not a basic event
                    entity=designer,
                    label=f"{self.m.label(designer)} (in-house)",
                    country=self.country_of(designer) or "",
                )
                self.fact_edge(supply, node, "in-house", (designer, "inHouseSourceOf", item))

    def packager(self, acc: str, buyer: str) -> tuple[str, tuple[str, ...], str | None]:
        """(buyer id, parties, country) of the house that packages and tests ``acc``.

        A named packager (a cg:SupplyRelationship of kind packaging) buys with its own parties
        and country; an unnamed one is a buyer no listing names, in no known country.
        """
        named = sorted({p for p, _ in self.packagers.get(acc, [])})
        if named:
            return "+".join(named), self.parties_of(named), self.country_of(named[0])
        return f"packager-of-{buyer}", (), None

    def two_and_a_half_d(self, acc: str, root: str, buyer: str, parties: tuple[str, ...], country: str | None) -> None:
        """The 2.5D packaging an HBM-bearing accelerator needs: ANY of its packagers, each with ALL its tools.

        A named packager (a cg:SupplyRelationship of kind packaging) is a supply edge that the
        designer's listings and the foundry-output measures can cut (TSMC's CoWoS is part of its
        foundry service); it buys the interposer tools with its own parties and country. Without
        a named packager the route is an unnamed house that no listing names, as for packaging.
        """
        assert self.advanced_packaging is not None
        rule, tools = self.advanced_packaging
        label = "2.5D (CoWoS-class) packaging"
        node = self.add_node(
            nodeids.supply(ADVANCED_PACKAGING, acc),
            kind="supply",
            gate="or",
            entity=ADVANCED_PACKAGING,
            buyer=buyer,
            label=label,
        )
        # part of the packaging stage (which also needs the ATP inputs); the root where it has none
        parent = nodeids.stage(acc, "packaging")
        self.fact_edge(
            parent if parent in self.G else root,
            node,
            "requires",
            (rule, "purchaserRole", ADVANCED_PACKAGER),
            rule=rule,
        )
        relations: dict[str, list[str]] = defaultdict(list)
        for packager, rel in self.packagers.get(acc, []):
            relations[packager].append(rel)
        for packager in sorted(relations) or [""]:
            route = nodeids.packaging_route(acc, packager)
            self.add_node(
                route,
                kind="route",
                gate="and",
                entity=packager,
                process_node="",
                packaging=True,  # a packaging route, not a fabrication one
                label=f"{self.m.label(packager) if packager else 'unnamed packager'} 2.5D packaging",
            )
            if packager:
                rels = relations[packager]
                srcs = sorted({s for r in rels for s in self.sources(r, "relationshipKind", "packaging")})
                self.supply_edge(
                    node,
                    route,
                    relation="packaged-by",
                    item=ADVANCED_PACKAGING,
                    buyer_parties=parties,
                    buyer_country=country,
                    provider=packager,
                    share=None,
                    sources=srcs,
                    confidence=self.confidence(rels[0], "relationshipKind", "packaging"),
                    also_covers=(FOUNDRY_OUTPUT,),  # the packaged chip is the foundry's output
                )
                self.G.add_edge(
                    route, self.provider_node(packager), relation="operated-by", sources=(), confidence="high"
                )
                p_buyer, p_parties, p_country = packager, self.parties_of([packager]), self.country_of(packager)
            else:
                self.G.add_edge(node, route, relation="packaged-by-unknown", sources=(), confidence="low")
                p_buyer, p_parties, p_country = f"packager-of-{buyer}", (), None
            for tool in tools:
                self.fact_edge(
                    route,
                    self.need(tool, p_buyer, p_parties, p_country, "packaging"),
                    "requires",
                    (rule, "requiresInput", tool),
                    rule=rule,
                )

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
                nodeids.anyof(rule, buyer),
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
            nodeids.accelerator(acc),
            kind="accelerator",
            gate="and",
            entity=acc,
            label=m.label(acc),
            designers=tuple(designers),
            country=country or "",
            domestic=country == DOMESTIC,
        )
        class_rules, _ = self.rules_for(acc, None)

        # design: the designer buys; packaging: the packaging house, where a rule says it buys
        for stage in ("design", "packaging"):
            node = self.add_node(nodeids.stage(acc, stage), kind="stage", gate="and", entity=acc, label=stage)
            s_buyer, s_parties, s_country = buyer, parties, country
            if stage == "packaging" and any(
                (role := self.role_of(i)) is not None and role[0] == "packager"
                for r in class_rules
                for i in m.values(r, "requiresInput")
            ):
                s_buyer, s_parties, s_country = self.packager(acc, buyer)
            for rule in class_rules:
                self.requirement(node, rule, s_buyer, s_parties, s_country, stage)
            for item in m.values(acc, "requiresInput"):
                if self.stage_of(item) == stage:
                    self.G.add_edge(
                        node,
                        self.need(item, s_buyer, s_parties, s_country, stage),
                        relation="requires",
                        sources=tuple(self.sources(acc, "requiresInput", item)),
                        confidence="high",
                    )
            if stage == "design":
                self.in_house(acc, buyer, designers)
            if self.G.out_degree(node):
                self.G.add_edge(root, node, relation="stage", sources=(), confidence="high")
            else:
                self.G.remove_node(node)

        # fabrication: any of the foundry routes; the foundry buys the fab inputs
        fab = self.add_node(
            nodeids.stage(acc, "fabrication"), kind="stage", gate="or", entity=acc, label="fabrication", buyer=buyer
        )
        self.G.add_edge(root, fab, relation="stage", sources=(), confidence="high")
        nodes = m.values(acc, "processNode")
        foundries = {f: ("fabricatedBy", acc, f) for f in m.values(acc, "fabricatedBy")}
        for process_node in nodes:
            for f in m.values(process_node, "nodeOperatedBy"):
                foundries.setdefault(f, ("processNode", acc, process_node))  # inferred from the node's operator
        if not foundries:
            foundries = {"": ("", acc, "")}
        for foundry, (prop, subj, val) in sorted(foundries.items()):
            fnodes: list[str | None]  # [None]: no process node of the accelerator is known for this foundry
            fnodes = [n for n in nodes if foundry and foundry in m.values(n, "nodeOperatedBy")] or [None]
            for n in fnodes:
                route = nodeids.route(acc, foundry, n)
                fab_buyer = foundry or f"unknown-foundry-of-{buyer}"  # not the designer: it buys no fab tools
                fab_parties = self.parties_of([foundry]) if foundry else ()  # an unnamed foundry is not listed
                # an unknown foundry is in no known country: assuming the designer's would apply that
                # country's fab controls (the 2022 US end-use rule) to chips that may be made abroad
                fab_country = self.country_of(foundry) if foundry else None
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
                        also_covers=(FOUNDRY_OUTPUT,),  # a measure on foundry output reaches this route
                    )
                    self.G.add_edge(
                        route,
                        self.provider_node(foundry),
                        relation="operated-by",
                        sources=tuple(self.sources(n, "nodeOperatedBy", foundry)) if n else (),
                        confidence="high",
                    )
                else:
                    # no source names the foundry: which tools, from whom, under which controls, is
                    # not known, so the route needs nothing. With the world's providers of each fab
                    # tool as its suppliers it made the two firms ETO names for process monitoring
                    # (Keithley, Keysight) a "chokepoint" of 20 chips (an outside review's row 11)
                    self.G.add_edge(fab, route, relation="fabricated-by-unknown", sources=(), confidence="low")
                    continue
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
            stage = self.add_node(nodeids.stage(acc, "memory"), kind="stage", gate="and", entity=acc, label="memory")
            self.G.add_edge(root, stage, relation="stage", sources=(), confidence="high")
            supply = self.add_node(
                nodeids.supply(item, acc), kind="supply", gate="or", entity=item, buyer=buyer, label=m.label(item)
            )
            self.G.add_edge(
                stage,
                supply,
                relation="requires",
                sources=tuple(self.sources(acc, "memoryTechnology", item)) if techs else (),
                confidence="high",
            )
            hbm = any(t == "hbm" or "hbm" in self.ancestors(t) for t in techs)
            for p, (share, srcs, conf) in sorted(providers.items()):
                if hbm and self.hbm_stacking is not None and self.country_of(p) == DOMESTIC:
                    self.hbm_stacks(acc, supply, item, p, (share, srcs, conf), parties, country)
                else:
                    self.provided_by(supply, item, p, share, srcs, conf, parties, country)
        if self.advanced_packaging is not None and any(t == "hbm" or "hbm" in self.ancestors(t) for t in techs):
            self.two_and_a_half_d(acc, root, buyer, parties, country)
        return root

    def hbm_stacks(
        self,
        acc: str,
        supply: str,
        item: str,
        maker: str,
        provision: tuple[float | None, list[str], str],
        parties: tuple[str, ...],
        country: str | None,
    ) -> None:
        """A domestic maker's HBM for ``acc``: the maker AND every stacking tool its rule lists.

        HBM is DRAM dies stacked on through-silicon vias; a foreign maker's stacks are bought
        finished (the 2024-12 HBM control cuts them), but a Chinese maker has to etch the vias
        and bond the dies itself, with tools that it buys under its own listings and country.
        The maker's DRAM front end (its wafer fab) is not modelled: no sourced requirement
        gives the tools of a DRAM node as the requirement rules give them for logic nodes.
        """
        assert self.hbm_stacking is not None
        rule, tools = self.hbm_stacking
        share, srcs, conf = provision
        route = self.add_node(
            nodeids.stacking_route(acc, maker),
            kind="route",
            gate="and",
            entity=maker,
            process_node="",
            packaging=True,  # stacking dies is packaging (of DRAM), not a fabrication route
            label=f"{self.m.label(maker)} HBM stacking",
        )
        self.provided_by(supply, item, maker, share, srcs, conf, parties, country, target=route, relation="stacked-by")
        self.G.add_edge(route, self.provider_node(maker), relation="operated-by", sources=(), confidence="high")
        m_parties, m_country = self.parties_of([maker]), self.country_of(maker)
        for tool in tools:
            self.fact_edge(
                route,
                self.need(tool, maker, m_parties, m_country, self.stage_of(tool) or "fabrication"),
                "requires",
                (rule, "requiresInput", tool),
                rule=rule,
            )


def _shares_date(as_of: dt.date | str | None, scenario: Any) -> dt.date | None:
    """The date whose ETO release gives the shares: ``as_of``, else the scenario's date, else None (current)."""
    from graph.chokepoints.measures import parse_date

    date = parse_date(as_of, "--as-of date")
    if date is None and scenario is not None:
        from graph.chokepoints.scenarios import as_scenario

        scen = as_scenario(scenario)
        date = scen.as_of if scen is not None else None
    return date


def dependency_graph(
    store: Any,
    as_of: dt.date | str | None = None,
    scenario: Any = None,
    *,
    min_confidence: str = "medium",
    model: Model | None = None,
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
    # structural claims below the floor are left out, a measure's coverage and parties among them
    # (China's 2023-2025 measures cover ETO inputs only at low confidence: no rare-earth input
    # exists); a measure's effective date is read at any confidence and judged when cuts are made.
    # A copy with its own floor: a model handed in (read once per build) is shared with the site
    model = replace(model if model is not None else load_model(store), min_confidence=min_confidence)
    measures = load_measures(model)
    measures |= bulk_listing_measures(model, measures)  # parties of the bulk Entity List the curators did not list
    prior = prior_rows(store)  # the earlier ETO releases' provisions, read apart from the model's facts
    release, fallback = release_on(eto_releases(model, prior), _shares_date(as_of, scenario))
    builder = _Builder(model, measures, release, prior)
    G = builder.G
    G.graph.update(measures=measures, sources=model.sources, cycles=[], scenario=None)
    # the ETO release whose shares (and providers) the graph uses, and each country's share then and now
    G.graph["shares_release"] = release.as_dict(fallback) if release is not None else None
    G.graph["share_trends"] = share_trends(model, prior)
    accelerators = sorted(e for e in model.types if model.has_type(e, ACCELERATOR_CLASSES))
    for acc in accelerators:
        builder.accelerator(acc)
    G.graph["accelerators"] = accelerators
    G.graph["labels"] = {e: model.label(e) for e in set(model.labels)} | {
        p: label for p, (label, _) in builder.unnamed.items()
    }
    G.graph["out_of_scope"] = dict(sorted(builder.out_of_scope.items()))
    G.graph["entities"] = sorted(model.types)
    # the 2.5D packaging supply is an item of the model's own (a supply rule's), not an ETO input
    G.graph["inputs"] = sorted(builder.inputs | ({ADVANCED_PACKAGING} if builder.advanced_packaging else set()))
    #: chips and other products a measure can cover besides the inputs (scenarios check kinds by it)
    G.graph["products"] = sorted(e for e in model.types if model.has_type(e, {"Product"}))
    G.graph["provider_country"] = {
        e: builder.country_of(e) or ""
        for e in model.types
        if model.has_type(e, {"Organisation", "Country", "Jurisdiction"})
    } | {p: country for p, (_, country) in builder.unnamed.items()}
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

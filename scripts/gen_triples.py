"""Generate a deterministic synthetic chipgraph dataset of about N triples, as N-Quads on disk.

The data uses chipgraph's own ontology and the same layout as ``chipgraph build``:

- ``/graph/ontology``: the ontology itself (``ontology/chipgraph.ttl``), so that queries that
  walk ``rdfs:subClassOf`` find GPUs, NPUs and ASICs as accelerators;
- ``/graph/eto``: supply-chain inputs (tools, materials, processes, design resources) linked by
  ``cg:goesInto`` / ``cg:isTypeOf``, providers (firms and countries) and ``cg:Provision``
  n-ary nodes with shares and years;
- one named graph per curated fact (``/claim/<entity>/<property>/<hash>``) holding its triple,
  with provenance in ``/graph/provenance`` (``cg:statedIn``, ``cg:confidence``,
  ``cg:subjectEntity``, sometimes ``cg:validFrom``);
- sources in ``/graph/sources``.

Curated entities: firms with countries, accelerators (designer, foundry, process node, memory,
release date), foundries and process nodes (operator, size, required inputs), requirement rules
(AND / OR inputs), export-control measures with dates, and a few language models with their
deployments on accelerators and benchmark figures about accelerators.

The shape follows the real ETO release (``/work/shared/data/eto/provision.csv``): about 9
provisions per input (median fan-in 11), provider fan-out heavily skewed (median 1, the largest
provider ~7 % of all rows), 19 % of provisions without a share and the non-empty shares drawn
from the empirical quantiles below. It is not a uniform random graph.

Output is streamed line by line, so 10^7 triples never sit in Python memory. Same seed and size
-> byte-identical file.

Usage::

    python scripts/gen_triples.py 1000000 -o /tmp/cg-1e6.nq [--seed 7]
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import random
import sys
import time
from pathlib import Path
from typing import TextIO

from graph.vocab.namespaces import CG, CLAIM, GRAPH, ID, RDF, RDFS, SKOS, SOURCE, XSD
from graph.vocab.namespaces import DCTERMS as DCT

# One source of truth for IRIs: a copy of these drifted once (countries as /id/country/CHN).
RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
SKOS_ALT = SKOS + "altLabel"

ETO_G = f"<{GRAPH}eto>"
PROV_G = f"<{GRAPH}provenance>"
SRC_G = f"<{GRAPH}sources>"

#: Quantiles of the non-empty ``share_provided`` column of the ETO provision.csv
#: (q -> share in percent), fitted once from the 1,054 non-empty values of the 1,300 rows.
SHARE_QUANTILES = [
    (0.0, 0.0),
    (0.1, 0.5),
    (0.25, 1.5),
    (0.5, 5.2),
    (0.75, 21.0),
    (0.9, 60.3),
    (0.99, 100.0),
    (1.0, 100.0),
]
SHARE_EMPTY = 246 / 1300
YEARS = [("2025", 977), ("2019", 264), ("2022", 43), ("2021", 16)]
INPUT_KINDS = [("Tool", 90), ("Material", 17), ("Process", 11), ("DesignResource", 7)]
COUNTRIES = [
    "USA",
    "CHN",
    "TWN",
    "KOR",
    "JPN",
    "NLD",
    "DEU",
    "GBR",
    "FRA",
    "ISR",
    "SGP",
    "MYS",
    "IND",
    "CAN",
    "CHE",
    "AUT",
    "BEL",
    "IRL",
    "ITA",
    "SWE",
    "FIN",
    "VNM",
    "PHL",
]
ORG_ROLES = [
    "ChipDesigner",
    "Foundry",
    "EquipmentMaker",
    "MemoryMaker",
    "EDAVendor",
    "ModelDeveloper",
    "ResearchInstitute",
]
ACC_KINDS = ["GPU", "NPU", "ASIC"]
MEMORY = ["HBM2E", "HBM3", "HBM3E", "GDDR6", "LPDDR5", "DDR4"]
CONF = ["HighConfidence", "MediumConfidence", "LowConfidence"]
KINDS = ["primary", "news", "analysis", "dataset", "mirror"]
PUBLISHERS = [
    "Federal Register",
    "Reuters",
    "Bloomberg",
    "Nikkei Asia",
    "TechInsights",
    "Caixin",
    "SemiAnalysis",
    "The Elec",
    "TrendForce",
    "Yonhap",
]


class Writer:
    """Counts and writes N-Quads lines."""

    def __init__(self, fh: TextIO):
        self.fh = fh
        self.count = 0

    def q(self, s: str, p: str, o: str, g: str) -> None:
        self.fh.write(f"{s} <{p}> {o} {g} .\n")
        self.count += 1


def iri(text: str) -> str:
    return f"<{text}>"


def lit(text: str, lang: str | None = None, dtype: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{esc}"@{lang}'
    if dtype:
        return f'"{esc}"^^<{XSD}{dtype}>'
    return f'"{esc}"'


def zipf_cdf(n: int, a: float) -> list[float]:
    """Cumulative weights of a Zipf(a) distribution over ranks 1..n."""
    acc, out = 0.0, []
    for k in range(1, n + 1):
        acc += 1.0 / k**a
        out.append(acc)
    return out


def pick(rng: random.Random, cdf: list[float]) -> int:
    return bisect.bisect_left(cdf, rng.random() * cdf[-1])


def weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def share(rng: random.Random) -> str | None:
    """A share in percent drawn like ETO's (None = no figure given)."""
    if rng.random() < SHARE_EMPTY:
        return None
    u = rng.random()
    for (q0, v0), (q1, v1) in zip(SHARE_QUANTILES, SHARE_QUANTILES[1:], strict=False):
        if u <= q1:
            v = v0 + (v1 - v0) * (u - q0) / (q1 - q0)
            return f"{v:.1f}"
    return "100.0"


def date(rng: random.Random, lo: int = 2015, hi: int = 2026) -> str:
    return f"{rng.randint(lo, hi)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


class Generator:
    """Writes one synthetic dataset; sizes derive from the target triple count."""

    def __init__(self, target: int, seed: int, out: Writer):
        self.rng = random.Random(seed)
        self.w = out
        self.target = target
        # Budget split (fitted so that the total lands within a few percent of the target):
        # ~45 % ETO-shaped provisions and inputs, ~53 % curated claims, ~2 % sources.
        self.n_provisions = max(20, int(target * 0.45 / 6.8))
        self.n_inputs = max(10, self.n_provisions // 9)
        self.n_providers = max(10, int(self.n_provisions / 3.2))
        self.n_sources = max(5, target // 2000)
        self.n_entities = max(12, int(target * 0.53 / 30))

    # -- helpers -----------------------------------------------------------------------------

    def claim(
        self, subject: str, prop: str, obj: str, sources: list[str], extra: list[tuple[str, str]] | None = None
    ) -> None:
        """One curated fact: its triple in its own graph, provenance in /graph/provenance."""
        digest = hashlib.sha1("\x1f".join([obj, *sources]).encode()).hexdigest()[:10]
        g = f"<{CLAIM}{subject}/{prop.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}/{digest}>"
        w, rng = self.w, self.rng
        w.q(f"<{ID}{subject}>", prop, obj, g)
        for s_p, s_o in extra or []:
            w.q(f"<{ID}{subject}>", s_p, s_o, g)
        w.q(g, RDF_TYPE, iri(CG + "Assertion"), PROV_G)
        for src in sources:
            w.q(g, CG + "statedIn", iri(SOURCE + src), PROV_G)
        w.q(g, CG + "confidence", iri(CG + rng.choice(CONF)), PROV_G)
        w.q(g, CG + "subjectEntity", iri(ID + subject), PROV_G)
        if rng.random() < 0.15:
            w.q(g, CG + "validFrom", lit(date(rng), dtype="date"), PROV_G)

    def srcs(self) -> list[str]:
        n = 1 if self.rng.random() < 0.75 else 2
        return sorted({f"s{pick(self.rng, self.src_cdf)}" for _ in range(n)})

    # -- sections ----------------------------------------------------------------------------

    def sources(self) -> None:
        w, rng = self.w, self.rng
        self.src_cdf = zipf_cdf(self.n_sources, 0.8)
        w.q(iri(SOURCE + "eto-chip-explorer"), RDF_TYPE, iri(CG + "Dataset"), SRC_G)
        w.q(iri(SOURCE + "eto-chip-explorer"), DCT + "title", lit("ETO Chip Explorer"), SRC_G)
        w.q(iri(GRAPH + "eto"), RDF_TYPE, iri(CG + "Assertion"), PROV_G)
        w.q(iri(GRAPH + "eto"), CG + "statedIn", iri(SOURCE + "eto-chip-explorer"), PROV_G)
        for i in range(self.n_sources):
            s = iri(f"{SOURCE}s{i}")
            w.q(s, RDF_TYPE, iri(CG + "Source"), SRC_G)
            w.q(s, DCT + "title", lit(f"Report {i} on accelerator supply"), SRC_G)
            w.q(s, CG + "publisher", lit(rng.choice(PUBLISHERS)), SRC_G)
            w.q(s, DCT + "date", lit(date(rng), dtype="date"), SRC_G)
            w.q(s, CG + "url", lit(f"https://example.org/r/{i}", dtype="anyURI"), SRC_G)
            w.q(s, DCT + "language", lit(rng.choice(["en", "zh", "ko"])), SRC_G)
            w.q(s, CG + "sourceKind", lit(rng.choice(KINDS)), SRC_G)

    def eto(self) -> None:
        """Inputs forest, providers and skewed provisions, all in /graph/eto."""
        w, rng = self.w, self.rng
        for c in COUNTRIES:
            node = iri(f"{ID}{c}")
            w.q(node, RDF_TYPE, iri(CG + "Country"), ETO_G)
            w.q(node, CG + "iso3", lit(c), ETO_G)
            w.q(node, RDFS_LABEL, lit(c, "en"), ETO_G)
        for i, name in enumerate(["Design", "Fabrication", "Assembly, testing, and packaging"], 1):
            w.q(iri(f"{ID}stage-{i}"), RDF_TYPE, iri(CG + "SupplyChainStage"), ETO_G)
            w.q(iri(f"{ID}stage-{i}"), RDFS_LABEL, lit(name, "en"), ETO_G)
        for i in range(self.n_inputs):
            node = iri(f"{ID}input-{i}")
            kind = weighted(rng, INPUT_KINDS) if i else "Process"
            w.q(node, RDF_TYPE, iri(CG + kind), ETO_G)
            w.q(node, RDFS_LABEL, lit(f"{kind} input {i}", "en"), ETO_G)
            w.q(node, CG + "etoId", lit(f"N{i}"), ETO_G)
            w.q(node, CG + "inStage", iri(f"{ID}stage-{1 + i % 3}"), ETO_G)
            if i:
                # Parents skew towards early (broad) inputs, like ETO's few roots.
                parent = int(i * rng.random() ** 2)
                rel = "isTypeOf" if rng.random() < 0.62 else "goesInto"
                w.q(node, CG + rel, iri(f"{ID}input-{parent}"), ETO_G)
        for i in range(self.n_providers):
            node = iri(f"{ID}provider-{i}")
            is_country = i < len(COUNTRIES)
            if is_country:
                continue  # providers 0..22 are the countries themselves
            w.q(node, RDF_TYPE, iri(CG + "Organisation"), ETO_G)
            w.q(node, RDFS_LABEL, lit(f"Provider firm {i}", "en"), ETO_G)
            w.q(node, CG + "etoId", lit(f"P{i}"), ETO_G)
            w.q(node, CG + "country", iri(f"{ID}{rng.choice(COUNTRIES)}"), ETO_G)
        # Every provider gets one provision, the rest follow Zipf(1.0) over providers: median
        # fan-out 1, a long tail of large suppliers. Inputs are picked with mild skew (fan-in ~9).
        prov_cdf = zipf_cdf(self.n_providers, 1.0)
        input_cdf = zipf_cdf(self.n_inputs, 0.3)
        perm = list(range(self.n_providers))
        rng.shuffle(perm)
        for k in range(self.n_provisions):
            p = k if k < self.n_providers else perm[pick(rng, prov_cdf)]
            inp = pick(rng, input_cdf)
            node = iri(f"{ID}provision/p{p}-n{inp}-{k}")
            provider = iri(f"{ID}{COUNTRIES[p]}") if p < len(COUNTRIES) else iri(f"{ID}provider-{p}")
            w.q(node, RDF_TYPE, iri(CG + "Provision"), ETO_G)
            w.q(node, CG + "provider", provider, ETO_G)
            w.q(node, CG + "providedInput", iri(f"{ID}input-{inp}"), ETO_G)
            sh = share(rng)
            if sh is not None:
                w.q(node, CG + "sharePercent", lit(sh, dtype="decimal"), ETO_G)
            w.q(node, CG + "year", lit(weighted(rng, YEARS), dtype="gYear"), ETO_G)
            w.q(node, CG + "sourceText", lit("CSET analysis of TechInsights data"), ETO_G)

    def entity(self, eid: str, classes: list[str], label: str, zh: bool) -> None:
        extra = [(RDF_TYPE, iri(CG + c)) for c in classes[1:]] + [(RDFS_LABEL, lit(label, "en"))]
        if zh:
            extra.append((RDFS_LABEL, lit(f"{label} 芯片", "zh")))
        if self.rng.random() < 0.2:
            extra.append((SKOS_ALT, lit(label.upper())))
        self.claim(eid, RDF_TYPE, iri(CG + classes[0]), self.srcs(), extra)

    def curated(self) -> None:
        """Firms, foundries, process nodes, accelerators, rules and measures as claim graphs."""
        rng = self.rng
        n = self.n_entities
        n_firms = max(4, n * 35 // 100)
        n_nodes = max(2, n * 5 // 100)
        n_acc = max(3, n * 45 // 100)
        n_rules = max(1, n * 5 // 1000)
        n_measures = max(2, n - n_firms - n_nodes - n_acc - n_rules)
        firm_cdf = zipf_cdf(n_firms, 0.9)
        foundries = [f"firm-{i}" for i in range(0, n_firms, 7)]
        for i in range(n_firms):
            role = "Foundry" if i % 7 == 0 else ORG_ROLES[i % len(ORG_ROLES)]
            eid = f"firm-{i}"
            self.entity(eid, ["Organisation", role], f"Firm {i}", rng.random() < 0.5)
            country = "CHN" if rng.random() < 0.6 else rng.choice(COUNTRIES)
            self.claim(eid, CG + "country", iri(f"{ID}{country}"), self.srcs())
            if rng.random() < 0.3:
                parent = iri(f"{ID}firm-{pick(rng, firm_cdf)}")
                self.claim(eid, CG + "parentOrganisation", parent, self.srcs())
            if rng.random() < 0.4:
                self.claim(eid, CG + "foundedDate", lit(date(rng, 1980, 2024), dtype="date"), self.srcs())
        for i in range(n_nodes):
            eid = f"node-{i}"
            self.entity(eid, ["ProcessNode"], f"N{i} process", False)
            self.claim(eid, CG + "nodeOperatedBy", iri(ID + foundries[i % len(foundries)]), self.srcs())
            size = lit(str(rng.choice([3, 5, 7, 12, 14, 16, 28])), dtype="decimal")
            self.claim(eid, CG + "nodeSizeNm", size, self.srcs())
            for _ in range(rng.randint(2, 6)):
                self.claim(eid, CG + "requiresInput", iri(f"{ID}input-{rng.randrange(self.n_inputs)}"), self.srcs())
        for i in range(n_rules):
            eid = f"rule-{i}"
            self.entity(eid, ["RequirementRule"], f"Rule {i}", False)
            size = lit(str(rng.choice([5, 7, 14])), dtype="decimal")
            self.claim(eid, CG + "maxNodeSizeNm", size, self.srcs())
            for _ in range(rng.randint(2, 3)):
                self.claim(eid, CG + "requiresAnyOf", iri(f"{ID}input-{rng.randrange(self.n_inputs)}"), self.srcs())
        self.entity("bis", ["Organisation", "Authority"], "Bureau of Industry and Security", False)
        self.claim("bis", CG + "country", iri(f"{ID}USA"), self.srcs())
        for m in MEMORY:
            self.entity(m.lower(), ["HBMGeneration" if m.startswith("HBM") else "MemoryTechnology"], m, False)
        designers = [f"firm-{i}" for i in range(n_firms) if i % 7 == 1] or ["firm-1"]
        des_cdf = zipf_cdf(len(designers), 1.0)
        for i in range(n_acc):
            eid = f"acc-{i}"
            self.entity(eid, [rng.choice(ACC_KINDS)], f"Accelerator {i}", rng.random() < 0.7)
            self.claim(eid, CG + "designedBy", iri(ID + designers[pick(rng, des_cdf)]), self.srcs())
            for _ in range(1 if rng.random() < 0.8 else 2):  # sources sometimes disagree
                self.claim(eid, CG + "fabricatedBy", iri(ID + rng.choice(foundries)), self.srcs())
            self.claim(eid, CG + "processNode", iri(f"{ID}node-{rng.randrange(n_nodes)}"), self.srcs())
            self.claim(eid, CG + "memoryTechnology", iri(f"{ID}{rng.choice(MEMORY).lower()}"), self.srcs())
            self.claim(eid, CG + "releaseDate", lit(date(rng, 2018, 2026), dtype="date"), self.srcs())
        for i in range(n_measures):
            eid = f"measure-{i}"
            kind = "EntityListing" if i % 2 == 0 else "ItemControl"
            self.entity(eid, [kind], f"Measure {i}", False)
            self.claim(eid, CG + "imposedBy", iri(f"{ID}bis"), self.srcs())
            self.claim(eid, CG + "jurisdiction", iri(f"{ID}USA"), self.srcs())
            self.claim(eid, CG + "effectiveDate", lit(date(rng, 2019, 2026), dtype="date"), self.srcs())
            citation = lit(f"{80 + i % 10} FR {rng.randint(1000, 99999)}")
            self.claim(eid, CG + "legalCitation", citation, self.srcs())
            if kind == "EntityListing":
                for _ in range(rng.randint(1, 4)):
                    self.claim(eid, CG + "listsParty", iri(f"{ID}firm-{pick(rng, firm_cdf)}"), self.srcs())
            else:
                for _ in range(rng.randint(1, 4)):
                    self.claim(eid, CG + "coversInput", iri(f"{ID}input-{rng.randrange(self.n_inputs)}"), self.srcs())
                self.claim(eid, CG + "appliesToDestination", iri(f"{ID}CHN"), self.srcs())

    def models(self) -> None:
        """Language models, their deployments on accelerators and benchmark figures about the
        accelerators, as claim graphs, so that the model-deployments and figure-claims queries
        have rows. Written last (with the same random stream), so the rest of the file is the same
        as without them."""
        rng = self.rng
        n_acc = max(3, self.n_entities * 45 // 100)
        n_firms = max(4, self.n_entities * 35 // 100)
        n_deploy = max(3, self.n_entities // 20)
        for i in range(max(2, n_deploy // 3)):
            eid = f"model-{i}"
            self.entity(eid, ["LanguageModel"], f"Model {i}", False)
            self.claim(eid, CG + "developedBy", iri(f"{ID}firm-{rng.randrange(n_firms)}"), self.srcs())
        for i in range(n_deploy):
            eid = f"deployment-{i}"
            self.entity(eid, ["Deployment"], f"Deployment {i}", False)
            self.claim(eid, CG + "model", iri(f"{ID}model-{i % max(2, n_deploy // 3)}"), self.srcs())
            self.claim(eid, CG + "accelerator", iri(f"{ID}acc-{rng.randrange(n_acc)}"), self.srcs())
            self.claim(eid, CG + "deploymentKind", iri(CG + rng.choice(["Training", "Inference"])), self.srcs())
            self.claim(eid, CG + "deploymentDate", lit(date(rng, 2023, 2026), dtype="date"), self.srcs())
        for i in range(max(3, self.n_entities // 20)):
            eid = f"figure-{i}"
            self.entity(eid, ["BenchmarkClaim"], f"Figure {i}", False)
            self.claim(eid, CG + "aboutEntity", iri(f"{ID}acc-{rng.randrange(n_acc)}"), self.srcs())
            self.claim(eid, CG + "figureValue", lit(f"{rng.uniform(0.5, 100):.1f}", dtype="decimal"), self.srcs())
            self.claim(eid, CG + "unit", lit("times"), self.srcs())
            self.claim(eid, CG + "metric", lit("speed-up over a reference accelerator"), self.srcs())
            self.claim(eid, CG + "claimDate", lit(date(rng, 2023, 2026), dtype="date"), self.srcs())
            self.claim(eid, CG + "claimedBy", iri(f"{ID}firm-{rng.randrange(n_firms)}"), self.srcs())

    def ontology(self) -> None:
        """The ontology's own triples in /graph/ontology, as the real build includes them."""
        import pyoxigraph as ox

        path = Path(__file__).resolve().parent.parent / "ontology" / "chipgraph.ttl"
        graph = f"<{GRAPH}ontology>"
        lines = sorted(
            f"{t.subject} {t.predicate} {t.object} {graph} .\n"
            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        )
        for line in lines:
            self.w.fh.write(line)
        self.w.count += len(lines)

    def run(self) -> int:
        self.ontology()
        self.sources()
        self.eto()
        self.curated()
        self.models()
        return self.w.count


def generate(target: int, path: Path, seed: int = 7) -> dict:
    """Write about ``target`` quads to ``path`` (N-Quads); returns counts and timing."""
    start = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as fh:
        gen = Generator(target, seed, Writer(fh))
        count = gen.run()
    tmp.replace(path)
    return {
        "target": target,
        "quads": count,
        "seed": seed,
        "path": str(path),
        "seconds": round(time.perf_counter() - start, 2),
        "provisions": gen.n_provisions,
        "inputs": gen.n_inputs,
        "providers": gen.n_providers,
        "entities": gen.n_entities,
        "sources": gen.n_sources,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("triples", type=float, help="target number of triples, e.g. 1e6")
    ap.add_argument("-o", "--output", type=Path, required=True, help="N-Quads file to write")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    info = generate(int(args.triples), args.output, args.seed)
    json.dump(info, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

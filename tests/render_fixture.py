"""A small hand-made graph in the shape ``chipgraph build`` writes, for the rendering tests.

It follows the ontology: one named graph per claim, provenance in /graph/provenance, sources in
/graph/sources. It holds a firm whose English label is an XSS probe and a source whose title
tries to close the script element, so that the escaping tests have something to escape.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.vocab.namespaces import (
    CG,
    DCTERMS,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    RDF,
    RDFS,
    SKOS,
    SOURCES_GRAPH,
    XSD,
    claim_iri,
    entity_iri,
    source_iri,
)

ROOT = Path(__file__).resolve().parents[1]
XSS_LABEL = "<img src=x onerror=alert(1)>"
SCRIPT_BREAKER = "</script><script>alert(2)</script>"

_TYPE = ox.NamedNode(RDF + "type")
_LABEL = ox.NamedNode(RDFS + "label")


def _cg(local: str) -> ox.NamedNode:
    return ox.NamedNode(CG + local)


def _date(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))


SOURCES = {
    "kr-article-2025-02-17": ("중국 AI 반도체 굴기", "Example Daily", "2025-02-17", "https://example.org/article"),
    "fr-2019-10005": (
        "Addition of Entities to the Entity List",
        "Federal Register",
        "2019-05-21",
        "https://www.federalregister.gov/d/2019-10005",
    ),
    "fr-2022-21658": (
        "Implementation of Additional Export Controls " + SCRIPT_BREAKER,
        "Federal Register",
        "2022-10-13",
        "javascript:alert(3)",
    ),
}

ENTITIES = [
    # id, classes, labels
    ("huawei", ["Organisation", "ChipDesigner"], {"en": "Huawei", "zh": "华为", "ko": "화웨이"}),
    ("smic", ["Organisation", "Foundry"], {"en": "SMIC", "zh": "中芯国际"}),
    ("asml", ["Organisation", "EquipmentMaker"], {"en": "ASML"}),
    ("xss-firm", ["Organisation", "EquipmentMaker"], {"en": XSS_LABEL}),
    ("deepseek", ["Organisation", "ModelDeveloper"], {"en": "DeepSeek", "zh": "深度求索"}),
    ("ascend-910c", ["NPU"], {"en": "Ascend 910C", "zh": "昇腾910C", "ko": "어센드 910C"}),
    ("deepseek-r1", ["LanguageModel"], {"en": "DeepSeek-R1"}),
    ("smic-n2", ["ProcessNode"], {"en": "SMIC N+2"}),
    ("euv-lithography-tools", ["Tool"], {"en": "EUV lithography tools"}),
    ("bis", ["Organisation", "Authority"], {"en": "Bureau of Industry and Security"}),
    ("us-entity-list-huawei-2019", ["EntityListing"], {"en": "Huawei Entity List listing (2019)"}),
    ("us-advanced-computing-2022", ["ItemControl"], {"en": "US advanced computing rule (2022)"}),
    # an ended measure and a suspension with hostile labels: the timeline must show them as text
    ("xss-rule-2021", ["ItemControl"], {"en": "Rule " + XSS_LABEL}),
    ("xss-suspension", ["MeasureSuspension"], {"en": "Suspension " + SCRIPT_BREAKER}),
    ("CHN", ["Country"], {"en": "China", "zh": "中国", "ko": "중국"}),
    ("USA", ["Country"], {"en": "United States"}),
    ("NLD", ["Country"], {"en": "Netherlands"}),
]

FACTS = [
    # subject, property, object entity id or literal, sources, valid_from
    ("huawei", "country", "CHN", ["kr-article-2025-02-17"], None),
    ("smic", "country", "CHN", ["kr-article-2025-02-17"], None),
    ("asml", "country", "NLD", ["kr-article-2025-02-17"], None),
    ("xss-firm", "country", "USA", ["kr-article-2025-02-17"], None),
    ("deepseek", "country", "CHN", ["kr-article-2025-02-17"], None),
    ("bis", "country", "USA", ["fr-2019-10005"], None),
    ("ascend-910c", "designedBy", "huawei", ["kr-article-2025-02-17"], None),
    ("ascend-910c", "fabricatedBy", "smic", ["kr-article-2025-02-17"], None),
    ("ascend-910c", "processNode", "smic-n2", ["kr-article-2025-02-17"], None),
    ("smic-n2", "nodeOperatedBy", "smic", ["kr-article-2025-02-17"], None),
    ("smic-n2", "requiresInput", "euv-lithography-tools", ["kr-article-2025-02-17"], None),
    ("deepseek-r1", "developedBy", "deepseek", ["kr-article-2025-02-17"], None),
    ("us-entity-list-huawei-2019", "listsParty", "huawei", ["fr-2019-10005"], None),
    ("us-entity-list-huawei-2019", "imposedBy", "bis", ["fr-2019-10005"], None),
    ("us-entity-list-huawei-2019", "effectiveDate", "2019-05-16", ["fr-2019-10005"], None),
    ("us-advanced-computing-2022", "coversInput", "euv-lithography-tools", ["fr-2022-21658"], None),
    ("us-advanced-computing-2022", "appliesToDestination", "CHN", ["fr-2022-21658"], None),
    ("us-advanced-computing-2022", "imposedBy", "bis", ["fr-2022-21658"], None),
    ("us-advanced-computing-2022", "effectiveDate", "2022-10-07", ["fr-2022-21658"], None),
    ("xss-firm", "parentOrganisation", "asml", ["kr-article-2025-02-17"], "2020-01-01"),
    ("xss-rule-2021", "effectiveDate", "2021-03-01", ["fr-2022-21658"], None),
    ("xss-rule-2021", "endDate", "2021-06-01", ["fr-2022-21658"], None),
    ("xss-rule-2021", "jurisdiction", "NLD", ["fr-2022-21658"], None),
    ("us-advanced-computing-2022", "jurisdiction", "USA", ["fr-2022-21658"], None),
    ("xss-suspension", "suspendsMeasure", "us-advanced-computing-2022", ["fr-2022-21658"], None),
    ("xss-suspension", "suspendedFrom", "2024-01-01", ["fr-2022-21658"], None),
]


def fixture_quads() -> list[ox.Quad]:
    """The ontology plus the entities, facts and sources above, as quads."""
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ontology)
        for t in ox.parse(path=str(ROOT / "ontology" / "chipgraph.ttl"), format=ox.RdfFormat.TURTLE)
    ]
    prov, srcs = ox.NamedNode(PROVENANCE_GRAPH), ox.NamedNode(SOURCES_GRAPH)
    for sid, (title, publisher, date, url) in SOURCES.items():
        s = source_iri(sid)
        quads += [
            ox.Quad(s, _TYPE, _cg("Source"), srcs),
            ox.Quad(s, ox.NamedNode(DCTERMS + "title"), ox.Literal(title), srcs),
            ox.Quad(s, _cg("publisher"), ox.Literal(publisher), srcs),
            ox.Quad(s, ox.NamedNode(DCTERMS + "date"), _date(date), srcs),
            ox.Quad(s, _cg("url"), ox.Literal(url, datatype=ox.NamedNode(XSD + "anyURI")), srcs),
        ]

    def claim(subject: str, prop: str, triples: list[tuple], sources: list[str], valid_from: str | None):
        g = claim_iri(subject, prop, repr(triples), sources)
        nonlocal quads
        quads += [ox.Quad(s, p, o, g) for s, p, o in triples]
        quads += [
            ox.Quad(g, _TYPE, _cg("Assertion"), prov),
            ox.Quad(g, _cg("confidence"), _cg("HighConfidence"), prov),
            ox.Quad(g, _cg("subjectEntity"), entity_iri(subject), prov),
        ]
        quads += [ox.Quad(g, _cg("statedIn"), source_iri(s), prov) for s in sources]
        if valid_from:
            quads.append(ox.Quad(g, _cg("validFrom"), _date(valid_from), prov))

    for eid, classes, labels in ENTITIES:
        e = entity_iri(eid)
        triples = [(e, _TYPE, _cg(c)) for c in classes]
        triples += [(e, _LABEL, ox.Literal(text, language=lang)) for lang, text in labels.items()]
        if eid == "huawei":
            triples.append((e, ox.NamedNode(SKOS + "altLabel"), ox.Literal("Huawei Technologies", language="en")))
        claim(eid, "label", triples, ["kr-article-2025-02-17"], None)
    for subject, prop, value, sources, valid_from in FACTS:
        if prop.endswith("Date") or prop in ("suspendedFrom", "suspendedUntil"):
            obj: ox.NamedNode | ox.Literal = _date(value)
        else:
            obj = entity_iri(value)
        claim(subject, prop, [(entity_iri(subject), _cg(prop), obj)], sources, valid_from)
    # a deployment (model served on the accelerator)
    dep = entity_iri("deepseek-r1-on-ascend-910c")
    claim(
        "deepseek-r1-on-ascend-910c",
        "deployment",
        [
            (dep, _TYPE, _cg("Deployment")),
            (dep, _cg("model"), entity_iri("deepseek-r1")),
            (dep, _cg("accelerator"), entity_iri("ascend-910c")),
            (dep, _cg("deploymentKind"), _cg("Inference")),
            (dep, _cg("deploymentDate"), _date("2025-02-01")),
        ],
        ["kr-article-2025-02-17"],
        None,
    )
    # a provision: ASML supplies EUV tools (100 %)
    prv = entity_iri("provision-asml-euv")
    claim(
        "provision-asml-euv",
        "provision",
        [
            (prv, _TYPE, _cg("Provision")),
            (prv, _cg("provider"), entity_iri("asml")),
            (prv, _cg("providedInput"), entity_iri("euv-lithography-tools")),
            (prv, _cg("sharePercent"), ox.Literal("100", datatype=ox.NamedNode(XSD + "decimal"))),
        ],
        ["kr-article-2025-02-17"],
        None,
    )
    return quads


def fixture_store():
    """An in-memory store over :func:`fixture_quads`."""
    from graph.store.local import memory_store

    return memory_store(fixture_quads())

"""The ontology is documented term by term, and the checker that says so can fail.

The rules live in :mod:`graph.vocab.lint`; here the shipped ontology must pass them, and
broken copies in ``tmp_path`` (a missing label, definition, isDefinedBy, domain/range, header
field, an undefined term, a term out of order, a syntax error) must each be reported.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.vocab.lint import lint_ontology

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = REPO / "ontology" / "chipgraph.ttl"
CG = "https://w3id.org/chipgraph#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def test_shipped_ontology_passes_the_lint():
    assert [str(p) for p in lint_ontology(ONTOLOGY)] == []


def test_default_path_is_the_shipped_ontology():
    assert lint_ontology() == lint_ontology(ONTOLOGY)


def test_ontology_covers_the_data_model():
    """The classes issue 2 asks for exist (a rename would silently break data and shapes)."""
    triples = list(ox.parse(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE))
    defined = {
        t.subject.value[len(CG) :] for t in triples if t.predicate == RDF_TYPE and t.subject.value.startswith(CG)
    }
    expected = {
        "Organisation",
        "ChipDesigner",
        "Foundry",
        "MemoryMaker",
        "EquipmentMaker",
        "EDAVendor",
        "ModelDeveloper",
        "ResearchInstitute",
        "Authority",
        "SecuritiesFirm",
        "Country",
        "Jurisdiction",
        "AIAccelerator",
        "GPU",
        "NPU",
        "ASIC",
        "AcceleratorSystem",
        "ProcessNode",
        "MemoryProduct",
        "HBMGeneration",
        "SupplyChainInput",
        "SupplyChainStage",
        "Provision",
        "LanguageModel",
        "Deployment",
        "EntityListing",
        "ItemControl",
        "BenchmarkClaim",
        "MarketClaim",
        "Source",
        "Assertion",
    }
    assert sorted(expected - defined) == []


def _broken(tmp_path: Path, old: str, new: str) -> list[str]:
    text = ONTOLOGY.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    copy = tmp_path / "chipgraph.ttl"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [str(p) for p in lint_ontology(copy)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('    rdfs:label "foundry"@en ;\n', "", "cg:Foundry has 0 English rdfs:label values"),
        ('    rdfs:label "foundry"@en ;\n', '    rdfs:label "foundry" ;\n', "cg:Foundry has 0 English rdfs:label"),
        ('    skos:definition "The number claimed."@en ;\n', "", "cg:figureValue has 0 English skos:definition values"),
        (
            '    skos:definition "Training or fine-tuning a model."@en ;\n',
            "",
            "cg:Training has 0 English skos:definition values",
        ),
        (
            "cg:GPU a owl:Class ;\n",
            'cg:GPU a owl:Class ;\n    rdfs:label "graphics card"@en ;\n',
            "cg:GPU has 2 English rdfs:label values",
        ),
        (
            "cg:Tool a owl:Class ;\n",
            "cg:Tool a owl:Class ;\n    rdfs:seeAlso cg:Tools ;\n",
            "cg:Tools is used but not defined",
        ),
        (
            "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;\n",
            "",
            "the ontology header lacks dcterms:license",
        ),
        ('    owl:versionInfo "', '    rdfs:comment "', "the ontology header lacks owl:versionInfo"),
        ("    owl:versionIRI <", "    rdfs:seeAlso <", "the ontology header lacks owl:versionIRI"),
        ("    dcterms:modified ", "    dcterms:created ", "the ontology header lacks dcterms:modified"),
        (
            "cg:NPU a owl:Class ;\n",
            'cg:Zeta a owl:Class ;\n    rdfs:label "zeta"@en ;\n    skos:definition "A late letter."@en ;\n'
            "    rdfs:isDefinedBy <https://w3id.org/chipgraph> .\n\ncg:NPU a owl:Class ;\n",
            "cg:NPU is out of alphabetical order in section 'Classes'",
        ),
    ],
)
def test_broken_copy_is_reported(tmp_path: Path, old: str, new: str, expected: str):
    problems = _broken(tmp_path, old, new)
    assert any(expected in p for p in problems), problems
    assert all(str(tmp_path) in p for p in problems)  # every problem names the file


def test_missing_is_defined_by_and_domain_are_reported(tmp_path: Path):
    text = ONTOLOGY.read_text(encoding="utf-8")
    block_start = text.index("cg:nodeOperatedBy a owl:ObjectProperty ;")
    block_end = text.index("\n\n", block_start)
    block = text[block_start:block_end]
    dropped = ("rdfs:domain", "rdfs:range", "isDefinedBy")
    stripped = "\n".join(line for line in block.splitlines() if not any(d in line for d in dropped))
    stripped = stripped.rstrip(" ;") + " ."
    copy = tmp_path / "chipgraph.ttl"
    copy.write_text(text[:block_start] + stripped + text[block_end:], encoding="utf-8")
    problems = lint_ontology(copy)
    messages = [p.message for p in problems]
    assert "cg:nodeOperatedBy lacks rdfs:isDefinedBy" in messages
    assert "cg:nodeOperatedBy is a property without rdfs:domain or rdfs:range" in messages
    line = text[:block_start].count("\n") + 1
    assert {p.line for p in problems} == {line}


def test_syntax_error_gives_file_and_line(tmp_path: Path):
    text = ONTOLOGY.read_text(encoding="utf-8")
    lines = text.splitlines()
    target = next(i for i, line in enumerate(lines) if line.startswith("cg:Foundry a owl:Class"))
    lines[target + 1] = lines[target + 1].replace(" ;", " ;;;; ]")
    copy = tmp_path / "chipgraph.ttl"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = lint_ontology(copy)
    assert "does not parse" in problem.message
    assert problem.file == copy
    assert problem.line is not None and abs(problem.line - (target + 2)) <= 1

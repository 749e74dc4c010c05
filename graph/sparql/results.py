"""SPARQL result formats and content negotiation for the endpoint.

The endpoint caps results at ``--max-rows``, so it cannot hand Oxigraph's own ``QuerySolutions``
to the serialiser (that would serialise everything); it takes the first rows and writes them here
in the standard formats: SPARQL 1.1 Query Results JSON, XML, CSV and TSV. Graph results (CONSTRUCT
and DESCRIBE) go through :func:`pyoxigraph.serialize`. When rows were cut off, the JSON result
carries ``"chipgraph": {"truncated": true, "maxRows": N}`` beside ``head`` and ``results``
(clients ignore unknown members); every format also gets the HTTP header
``X-Chipgraph-Truncated``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph.vocab.namespaces import PREFIXES, XSD

__all__ = [
    "GRAPH_FORMATS",
    "NotXmlText",
    "RESULT_FORMATS",
    "negotiate",
    "serialize_boolean",
    "serialize_rows",
    "serialize_triples",
]

#: What XML 1.0 cannot carry at all, escaped or not (its Char production): C0 controls but tab,
#: newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class NotXmlText(ValueError):
    """A value of the answer that XML 1.0 cannot carry: the XML formats refuse the whole answer.

    A query can make such a value even though the graph holds none (``"\u0001"`` in its text);
    written raw it makes the document ill-formed for every XML parser.
    """

    def __init__(self, char: str, what: str):
        self.char = char
        super().__init__(f"the answer holds U+{ord(char):04X} in {what}, which XML 1.0 cannot carry")


def _xml_checked(value: str, what: str) -> str:
    """``value`` escaped for XML text or a quoted attribute; a carriage return as ``&#13;``, which
    a parser would otherwise read as a newline. Raises :class:`NotXmlText`."""
    bad = _NOT_XML.search(value)
    if bad:
        raise NotXmlText(bad.group(), what)
    return escape(value).replace("\r", "&#13;")


#: name -> media type, for SELECT and ASK
RESULT_FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}

#: name -> (media type, pyoxigraph format), for CONSTRUCT and DESCRIBE
GRAPH_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nquads": ("application/n-quads", ox.RdfFormat.N_QUADS),
}

_RESULT_ALIASES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_ALIASES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
_SHORT_NAMES = {
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "trig": "trig",
    "nquads": "nquads",
    "nq": "nquads",
}


def _accept_entries(accept: str | None) -> list[tuple[str, float, int]]:
    """(media range, q, position) of an Accept header; no header means ``*/*``."""
    entries = []
    for pos, part in enumerate((accept or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        entries.append((media, q, pos))
    return entries


def negotiate(accept: str | None, form: str, override: str | None = None) -> str | None:
    """The format name to answer with, or None when nothing acceptable is offered (406).

    ``override`` (the ``format`` URL parameter, handy in a browser) wins when it fits the form.
    Otherwise the media type in ``Accept`` with the highest q that the form supports (exact types
    before ``type/*`` before ``*/*``, then the order given); wildcards pick JSON for SELECT/ASK
    and Turtle for CONSTRUCT/DESCRIBE.
    """
    graph = form in ("CONSTRUCT", "DESCRIBE")
    aliases = _GRAPH_ALIASES if graph else _RESULT_ALIASES
    valid: dict[str, str] = {n: m for n, (m, _) in GRAPH_FORMATS.items()} if graph else dict(RESULT_FORMATS)
    default = "turtle" if graph else "json"
    if override:
        name = _SHORT_NAMES.get(override.lower()) or aliases.get(override.lower())
        return name if name in valid else None
    best: tuple[tuple[float, int, int], str] | None = None
    for media, q, pos in _accept_entries(accept):
        if q <= 0:
            continue
        if media in aliases:
            name, specificity = aliases[media], 2
        elif media == "*/*":
            name, specificity = default, 0
        elif media.endswith("/*"):
            family = media[:-1]
            matches = [n for n, m in valid.items() if m.startswith(family)]
            if not matches:
                continue
            name = default if default in matches else matches[0]
            specificity = 1
        else:
            continue
        rank = (q, specificity, -pos)
        if best is None or rank > best[0]:
            best = (rank, name)
    return best[1] if best else None


# --------------------------------------------------------------------------------------------
# SELECT


def _json_term(term: object) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_checked(term.value, 'an IRI')}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_checked(term.value, 'a blank node')}</bnode>"
    if isinstance(term, ox.Literal):
        text = _xml_checked(term.value, "a literal")
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{text}</literal>"
        if term.datatype and term.datatype.value != XSD + "string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{text}</literal>"
        return f"<literal>{text}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"unexpected term {term!r}")


def _csv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _tsv_term(term: object) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_rows(
    variables: Sequence[str],
    rows: Sequence[Sequence[object]],
    fmt: str,
    truncated: bool = False,
    max_rows: int | None = None,
) -> bytes:
    """Rows (tuples of terms or None, in ``variables`` order) in a SPARQL results format."""
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        # The truncation marker goes before the results: streaming parsers (pyoxigraph's, which
        # chipgraph's own remote mode uses) refuse any member after the bindings array.
        doc: dict = {"chipgraph": {"truncated": True, "maxRows": max_rows}} if truncated else {}
        doc |= {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode()
    if fmt == "xml":
        out = [
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head>",
        ]
        if truncated:
            out.append(f"<!-- truncated at {max_rows} rows -->")
        out.append("<results>")
        for row in rows:
            cells = "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            out.append(f"<result>{cells}</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_term(t) for t in row])
        return buf.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown results format {fmt!r}")


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer in a SPARQL results format."""
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    if fmt in ("csv", "tsv"):
        return (word + "\n").encode()
    raise ValueError(f"unknown results format {fmt!r}")


def serialize_triples(triples: Sequence[ox.Triple], fmt: str) -> bytes:
    """CONSTRUCT/DESCRIBE triples in an RDF format (quad formats put them in the default graph)."""
    media, rdf_format = GRAPH_FORMATS[fmt]
    items: Sequence = triples
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return ox.serialize(items, format=rdf_format) or b""
    if rdf_format == ox.RdfFormat.RDF_XML:
        for t in triples:
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
                    _xml_checked(term.value, "a literal" if isinstance(term, ox.Literal) else "an IRI")
        # the serializer writes a carriage return raw, which an XML parser reads as a newline:
        # the only raw CR in its output is one in a value (it indents with newlines and tabs)
        body = ox.serialize(items, format=rdf_format, prefixes=PREFIXES) or b""
        return body.replace(b"\r", b"&#13;")
    return ox.serialize(items, format=rdf_format, prefixes=PREFIXES) or b""

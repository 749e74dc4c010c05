"""Regenerate the corpus files that cannot be written as UTF-8 text (run by hand, output committed)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORD = """- id: zz-encoding-firm
  type: [Organisation, ChipDesigner]
  label: {en: Société Générale de Puces}
  sources: [kr-article-2025-02-17]
  confidence: high
  facts:
    - property: country
      value: FRA
      sources: [kr-article-2025-02-17]
      confidence: high
"""
(HERE / "curated_latin1.yaml").write_bytes(RECORD.encode("latin-1"))
(HERE / "curated_utf16.yaml").write_bytes(RECORD.encode("utf-16"))
(HERE / "curated_bom_error.yaml").write_bytes(b"\xef\xbb\xbf" + RECORD.replace("FRA", "NOWHERE-LAND").encode())
(HERE / "curated_nul_label.yaml").write_bytes(RECORD.replace("Société", "Soci\x00t\x07").encode())
(HERE / "eto_providers_row_latin1.csv").write_bytes(
    "Soci\u00e9t\u00e9 Fant\u00f4me,,P9999,organization,FRA\n".encode("latin-1")
)
(HERE / "eto_stages_utf16.csv").write_bytes(
    "stage_id,stage_name,description,market_share_chart_global_market_size_info,"
    "market_share_chart_caption,market_share_chart_source\nS1,Design,d,,,\n".encode("utf-16")
)
# Added with the security review's cases (F11, F12, F22): raw bytes a text editor would not write.
(HERE / "eto_providers_nul.csv").write_bytes(b"Evil\x00Corp,,P9999,organization,USA\n")
(HERE / "sparql_latin1.rq").write_bytes('SELECT * WHERE { ?s ?p "caf\u00e9" }\n'.encode("latin-1"))
(HERE / "sparql_utf16.rq").write_bytes("SELECT * WHERE { ?s ?p ?o }\n".encode("utf-16"))
(HERE / "ontology_latin1.ttl").write_bytes("\n# Sections \u00e9 in Latin-1\n".encode("latin-1"))

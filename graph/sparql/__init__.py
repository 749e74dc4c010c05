"""sparql

Importing the package silences rdflib's literal-conversion warning (see
:mod:`graph.sparql.rdflib_log`), so every route to the parse check, CLI and endpoint alike, is
covered without each caller having to remember it.
"""

from graph.sparql.rdflib_log import quiet_literal_conversion

quiet_literal_conversion()

"""Exports of the graph into other tools' data models (FollowTheMoney for Aleph and yente).

Unlike :mod:`graph.chokepoints.export`, which writes the chokepoint analysis's dependency graph,
these exports carry the graph's parties, listings and links themselves, read through SPARQL.
"""

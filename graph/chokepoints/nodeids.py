"""The node ids of the dependency graph, written and read in one place.

The grammar (see :mod:`graph.chokepoints.projection` for what each node means):

=====================================  ====================================================
``acc:<accelerator>``                  an accelerator (AND over its stages)
``stage:<accelerator>:<stage>``        a stage: design, fabrication, packaging or memory
``route:<accelerator>:<foundry>:<n>``  fabrication at one foundry on one process node
``need:<item>@<buyer>``                the buyer has the item and what goes into it
``supply:<item>@<buyer>``              the item's providers and variants (OR)
``all:<item>@<buyer>``                 the item's complementary variants, all needed (AND)
``anyof:<rule>@<buyer>``               the alternatives of a requirement rule (OR)
``provider:<entity>``                  a firm or a country (a basic event)
``inhouse:<designer>:<item>``          a designer that makes the item itself (no control cuts it)
=====================================  ====================================================

``buyer`` is the id of the buying organisation, or several ids joined with ``+`` (an
accelerator's designers together). Entity ids never hold ``:`` or ``@``.

>>> supply("hbm2e", "huawei"), provider("asml"), accelerator("acc:ascend-910c")
('supply:hbm2e@huawei', 'provider:asml', 'acc:ascend-910c')
>>> all_of("hbm", "huawei"), in_house("huawei", "kirin-ip")
('all:hbm@huawei', 'inhouse:huawei:kirin-ip')
>>> kind_of("supply:hbm2e@huawei"), entity_of("supply:hbm2e@huawei"), buyer_of("supply:hbm2e@huawei")
('supply', 'hbm2e', 'huawei')
"""

from __future__ import annotations

__all__ = [
    "UNKNOWN_FOUNDRY",
    "accelerator",
    "all_of",
    "anyof",
    "buyer_of",
    "entity_of",
    "in_house",
    "kind_of",
    "need",
    "provider",
    "packaging_route",
    "stacking_route",
    "route",
    "stage",
    "supply",
]

#: The foundry part of a route whose foundry the graph does not know.
UNKNOWN_FOUNDRY = "unknown"


def accelerator(acc: str) -> str:
    """``acc:<acc>``; an id that is a node id already is returned as it is."""
    return acc if acc.startswith("acc:") else f"acc:{acc}"


def stage(acc: str, name: str) -> str:
    """``stage:<acc>:<name>`` (``design``, ``fabrication``, ``packaging`` or ``memory``)."""
    return f"stage:{acc}:{name}"


def route(acc: str, foundry: str | None, process_node: str | None) -> str:
    """``route:<acc>:<foundry>:<node>`` (``unknown`` foundry and ``-`` node when not known)."""
    return f"route:{acc}:{foundry or UNKNOWN_FOUNDRY}:{process_node or '-'}"


def packaging_route(acc: str, packager: str | None) -> str:
    """``route:<acc>:<packager>:2.5d``: the 2.5D packaging of ``acc`` by one packager (or an unnamed one)."""
    return f"route:{acc}:{packager or UNKNOWN_FOUNDRY}:2.5d"


def stacking_route(acc: str, maker: str) -> str:
    """``route:<acc>:<maker>:hbm-stacking``: one domestic maker's HBM stacks for ``acc``, with its stacking tools."""
    return f"route:{acc}:{maker}:hbm-stacking"


def need(item: str, buyer: str) -> str:
    return f"need:{item}@{buyer}"


def supply(item: str, buyer: str) -> str:
    return f"supply:{item}@{buyer}"


def all_of(item: str, buyer: str) -> str:
    """``all:<item>@<buyer>``: the complementary variants of ``item`` that its rule lists, all needed.

    >>> all_of("hbm", "hisilicon+huawei")
    'all:hbm@hisilicon+huawei'
    """
    return f"all:{item}@{buyer}"


def anyof(rule: str, buyer: str) -> str:
    return f"anyof:{rule}@{buyer}"


def provider(entity: str) -> str:
    return f"provider:{entity}"


def in_house(designer: str, item: str) -> str:
    """``inhouse:<designer>:<item>``: the designer makes ``item`` itself (``cg:inHouseSourceOf``).

    >>> in_house("huawei", "kirin-ip")
    'inhouse:huawei:kirin-ip'
    """
    return f"inhouse:{designer}:{item}"


def kind_of(node: str) -> str:
    """The node's kind prefix: ``acc``, ``stage``, ``route``, ``need``, ``supply``, ``all``, ``anyof``,
    ``provider`` or ``inhouse``."""
    return node.split(":", 1)[0]


def entity_of(node: str) -> str:
    """The entity a node is about: the accelerator, the item, the rule, the provider or the designer."""
    rest = node.split(":", 1)[1] if ":" in node else node
    if kind_of(node) in ("stage", "route", "inhouse"):
        return rest.split(":", 1)[0]
    return rest.split("@", 1)[0]


def buyer_of(node: str) -> str | None:
    """The buyer of a ``need``, ``supply``, ``all`` or ``anyof`` node; None for the other kinds."""
    if kind_of(node) in ("need", "supply", "all", "anyof") and "@" in node:
        return node.rsplit("@", 1)[1]
    return None

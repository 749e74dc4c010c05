"""Gross dies per wafer: the standard formula, and an exact count to test it against.

The formula (de Vries 2005; the usual "dies per wafer" estimate of fab calculators) counts the
dies that fit in the wafer's area and subtracts those lost along its circumference::

    DPW = pi * (d/2)**2 / A  -  pi * d / sqrt(2 * A)

with ``d`` the usable wafer diameter (the diameter less twice the edge exclusion) and ``A`` the die
area. It needs only the area, which is what sources publish. :func:`count_dies_on_grid` places
real rectangles on a grid and counts those that lie wholly on the wafer; the formula is a little
conservative (it finds 640 of the 657 whole 10 x 10 mm dies), and the tests check that it stays
within 10 % below the exact count.

References
----------
.. [1] D. K. de Vries, "Investigation of gross die per wafer formulas", IEEE Transactions on
   Semiconductor Manufacturing 18(1), 136-139, 2005. doi:10.1109/TSM.2004.836656
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["gross_dies_per_wafer", "count_dies_on_grid"]


def gross_dies_per_wafer(area_mm2, diameter_mm: float = 300.0, edge_exclusion_mm: float = 0.0):
    """Gross (untested) dies per wafer for a die of ``area_mm2``.

    Parameters
    ----------
    area_mm2 : float or numpy.ndarray
        Die area in mm² (positive). Arrays are evaluated element-wise.
    diameter_mm : float
        Wafer diameter (300 for 12-inch wafers).
    edge_exclusion_mm : float
        Unusable ring at the wafer's edge.

    Returns
    -------
    float or numpy.ndarray
        Gross dies, not rounded (never below zero).

    Examples
    --------
    The Ascend 910B compute die (665.61 mm²) on a 300 mm wafer:

    >>> round(float(gross_dies_per_wafer(665.61)), 1)
    80.4
    >>> round(float(gross_dies_per_wafer(100.0)), 1)
    640.2
    """
    a = np.asarray(area_mm2, dtype=float)
    if np.any(a <= 0):
        raise ValueError("die area must be positive")
    d = diameter_mm - 2.0 * edge_exclusion_mm
    out = np.maximum(math.pi * (d / 2.0) ** 2 / a - math.pi * d / np.sqrt(2.0 * a), 0.0)
    return out if out.ndim else float(out)


def count_dies_on_grid(width_mm: float, height_mm: float, diameter_mm: float = 300.0, steps: int = 24) -> int:
    """Most whole ``width x height`` rectangles of a grid that fit on a round wafer.

    Tries ``steps x steps`` offsets of the grid and returns the best count: what a die-layout
    tool would find, without scribe lines or edge exclusion.

    Examples
    --------
    >>> count_dies_on_grid(10.0, 10.0)
    657
    """
    r = diameter_mm / 2.0
    best = 0
    for i in range(steps):
        for j in range(steps):
            ox = -r + width_mm * i / steps
            oy = -r + height_mm * j / steps
            xs = ox + width_mm * np.arange(int(2 * r / width_mm) + 2)
            ys = oy + height_mm * np.arange(int(2 * r / height_mm) + 2)
            x0, y0 = np.meshgrid(xs, ys)
            corners = [(x0, y0), (x0 + width_mm, y0), (x0, y0 + height_mm), (x0 + width_mm, y0 + height_mm)]
            inside = np.ones_like(x0, dtype=bool)
            for cx, cy in corners:
                inside &= cx * cx + cy * cy <= r * r
            best = max(best, int(inside.sum()))
    return best

"""Atelier design_bridge: made-to-measure drafting, routing and bill of materials.

from design_bridge import draft_order, draft_batch
drafted = draft_order(order)            # DraftedOrder: pieces, routing, bom, fit, seams
draft_batch(orders, "out/", progress)   # exports and a summary, all or nothing
"""

from design_bridge.batch import draft_batch
from design_bridge.draft import DraftedOrder, FitCheck, SeamCheck, draft_order
from design_bridge.pieces import Dart, Notch, Piece
from design_bridge.routing import Operation

__all__ = [
    "Dart",
    "DraftedOrder",
    "FitCheck",
    "Notch",
    "Operation",
    "Piece",
    "SeamCheck",
    "draft_batch",
    "draft_order",
]

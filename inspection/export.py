"""Export a model directory to ONNX (and a TensorRT engine where TensorRT and a GPU exist)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from inspection import modeldir

log = logging.getLogger(__name__)

OPSET = 17


def export_onnx(model_dir: Path) -> Path:
    """Write MODEL_DIR/model.onnx with a dynamic batch axis; returns its path."""
    model, manifest = modeldir.load(model_dir)
    size = manifest.input_size
    dummy = torch.rand(1, 3, size, size)
    out = Path(model_dir) / modeldir.ONNX
    tmp = out.with_suffix(".onnx.tmp")
    with warnings.catch_warnings():
        # the fixed input size turns the 'SAME' padding arithmetic into constants, as intended
        warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        torch.onnx.export(
            model,
            (dummy,),
            str(tmp),
            dynamo=False,  # the dynamo exporter needs onnxscript, which the edge does not carry
            input_names=["image"],
            output_names=["score", "heat", "class_logits"],
            dynamic_axes={
                "image": {0: "batch"},
                "score": {0: "batch"},
                "heat": {0: "batch"},
                "class_logits": {0: "batch"},
            },
            opset_version=OPSET,
        )
    onnx_model = onnx.load(str(tmp))
    fused = fuse_pads_into_convs(onnx_model)
    onnx.save(onnx_model, str(tmp))
    tmp.replace(out)
    log.info("exported %s (%d zero pads folded into convolutions)", out, fused)
    return out


def export_tensorrt(model_dir: Path) -> Path | None:
    """Build and cache the TensorRT engine; None (with the reason logged) where it cannot run."""
    from inspection.backends.tensorrt import TensorRTBackend, TensorRTConfig, available, engine_path

    reason = available()
    if reason:
        log.info("no TensorRT engine built: %s", reason)
        return None
    config = TensorRTConfig()
    backend = TensorRTBackend(config, model_dir)
    size = modeldir.read_manifest(model_dir).input_size
    backend.infer(np.zeros((1, 3, size, size), np.float32))
    return engine_path(model_dir, (Path(model_dir) / modeldir.ONNX).read_bytes(), config)


def fuse_pads_into_convs(model: onnx.ModelProto) -> int:
    """Fold each constant zero Pad that only feeds a Conv into the Conv's own `pads`.

    The stride-2 'SAME' paddings of the backbone are asymmetric (one pixel more at the bottom
    and right), which a torch Conv2d cannot express, so they export as separate Pad nodes; ONNX
    Runtime leaves them alone, and each costs a copy of the activation plus a layout reorder
    around it. An ONNX Conv takes asymmetric pads. Returns how many Pads were folded.
    """
    graph = model.graph
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    removed = []
    for pad in graph.node:
        users = consumers.get(pad.output[0], []) if pad.op_type == "Pad" else []
        if len(users) != 1 or users[0].op_type != "Conv" or len(pad.input) < 2:
            continue
        conv = users[0]
        mode = next((a.s for a in pad.attribute if a.name == "mode"), b"constant")
        own_pads = [v for a in conv.attribute if a.name == "pads" for v in a.ints]
        auto_pad = next((a.s for a in conv.attribute if a.name == "auto_pad"), b"NOTSET")
        if mode != b"constant" or any(own_pads) or auto_pad != b"NOTSET":
            continue
        pads = constant_value(model, pad.input[1])
        value = constant_value(model, pad.input[2]) if len(pad.input) > 2 and pad.input[2] else 0
        if pads is None or pads.shape != (8,) or np.any(pads[[0, 1, 4, 5]]):
            continue  # not constant, or pads batch or channels
        if value is None or np.any(np.asarray(value) != 0):
            continue
        for a in [a for a in conv.attribute if a.name == "pads"]:
            conv.attribute.remove(a)
        # Pad lists (N, C, H, W) begins then ends; Conv wants (H, W) begins then ends
        conv_pads = [int(p) for p in pads[[2, 3, 6, 7]]]
        conv.attribute.append(onnx.helper.make_attribute("pads", conv_pads))
        conv.input[0] = pad.input[0]
        removed.append(pad)
    for pad in removed:
        graph.node.remove(pad)
    _drop_unused_nodes(graph)
    return len(removed)


def _drop_unused_nodes(graph: onnx.GraphProto) -> None:
    """Remove nodes none of whose outputs is used (the folded Pads' constant chains)."""
    while True:
        used = {name for node in graph.node for name in node.input}
        used |= {o.name for o in graph.output}
        dead = [n for n in graph.node if not any(o in used for o in n.output)]
        if not dead:
            return
        for node in dead:
            graph.node.remove(node)


def constant_value(model: onnx.ModelProto, name: str) -> np.ndarray | None:
    """The value of tensor `name` when it depends on no graph input, else None.

    The exporter writes the pads of F.pad as a small chain of ops on constants (a reversing
    Slice it cannot fold); the chain is evaluated here with ONNX's reference evaluator.
    """
    from onnx.reference import ReferenceEvaluator

    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    if name in inits:
        return numpy_helper.to_array(inits[name])
    producer = {out: node for node in graph.node for out in node.output}
    needed: list[onnx.NodeProto] = []
    used: set[str] = set()
    todo = [name]
    while todo:
        tensor = todo.pop()
        if tensor in inits or not tensor:
            used.add(tensor)
            continue
        node = producer.get(tensor)
        if node is None:  # a graph input: not a constant
            return None
        if node not in needed:
            needed.append(node)
            todo.extend(node.input)
    order = [n for n in graph.node if n in needed]
    sub = onnx.helper.make_graph(
        order,
        "constant",
        [],
        [onnx.helper.make_tensor_value_info(name, onnx.TensorProto.UNDEFINED, None)],
        [inits[t] for t in used if t],
    )
    evaluator = ReferenceEvaluator(onnx.helper.make_model(sub, opset_imports=model.opset_import))
    (value,) = evaluator.run([name], {})
    return np.asarray(value)

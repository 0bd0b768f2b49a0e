#!/usr/bin/python3
"""Writes the CNNs of this directory and transformer blocks as whole-graph ONNX models (graphs/NAME.onnx).

    /usr/bin/python3 configs/workloads/networks/generate_graphs.py           # (re)write graphs/*.onnx
    /usr/bin/python3 configs/workloads/networks/generate_graphs.py --check   # exit 1 if a file differs

Needs the `onnx` Python package (Debian: python3-onnx, 1.12, installed for /usr/bin/python3).

The YAML files beside this script (generate.py) list only the layers with multiply-accumulates;
these models hold every operator of the torchvision definitions, for `arraysim run --model F.onnx
--graph` (docs/graph.md, "Running a whole graph"): AlexNet, VGG-16, ResNet-18, ResNet-50 and
MobileNetV2 (torchvision.models.*, eval mode), batch 1, 3x224x224, fp32, opset 13.

What the graphs hold, as a torchvision export in eval mode before any folding would:
  - Conv (bias only where torchvision has one: AlexNet, VGG-16), BatchNormalization after every conv
    of ResNet and MobileNetV2 (not folded into the conv), Relu, Clip(0, 6) for ReLU6, MaxPool, the
    residual Add, GlobalAveragePool for AdaptiveAvgPool2d((1, 1)), AveragePool 1x1 for the
    AdaptiveAvgPool2d((7, 7)) of VGG-16 and ((6, 6)) of AlexNet (identity at 224x224, exported as
    such), Flatten (torch.flatten(x, 1)), Gemm (transB = 1) for every nn.Linear. Dropout is left
    out (identity in eval mode). No Softmax: torchvision's models end with the logits.
  - Weights as graph inputs, not initializers (export_params=False style), so that each file stays
    small; `arraysim run` seeds them. The image input comes first and is named "input"; the output
    is "output" [1, 1000]. Parameter inputs carry the PyTorch state_dict names
    (layer1.0.conv1.weight, layer1.0.bn1.running_var, fc.bias, ...), in order of first use.
    The only initializers are the two scalar bounds of Clip (0 and 6), which arraysim's importer
    needs as constants.
  - Node names are the torchvision module names (conv1, layer1.0.bn1, features.3.conv.1.0,
    classifier.6, ...), the names of the YAML layer lists. A module called twice (the ReLU of a
    ResNet block) gets `_2`, `_3` on its later calls, as arraysim's importer would name them;
    operations that are not modules are named after what they do: BLOCK.add for the residual
    addition, flatten for torch.flatten, avgpool for MobileNetV2's adaptive_avg_pool2d call (a
    module of that name in the other networks). Each node's output value has the node's name,
    but for the last Gemm's, which is "output".

Transformer blocks (fp32, batch 1, input "input" [1, seq, d], output "output" [1, seq, d], opset 17
for LayerNormalization, IR version 8):
  - gpt2_block_tiny (seq 16, d_model 64, 4 heads, MLP 256) and gpt2_small_block (GPT-2 small: seq 128,
    d_model 768, 12 heads, MLP 3072): a GPT2Block, pre-LN: ln_1, the Q, K and V projections (c_attn
    as three MatMul + Add, since the graph IR has no Split), Reshape/Transpose into heads (K straight
    to [1, heads, dh, seq]), attn.scores = Q·Kᵀ (a batched MatMul), Div by sqrt(dh), the causal mask
    (Add of a [1, 1, seq, seq] constant: 0 on and below the diagonal, -1e4 above), Softmax,
    attn.context = P·V (batched), Transpose/Reshape back, c_proj, the residual Add, ln_2, mlp.c_fc,
    GELU, mlp.c_proj, the residual Add.
  - bert_block_tiny (the tiny sizes): a BertLayer, post-LN: query/key/value, the same heads, Mul by
    1/sqrt(dh), no mask, Softmax, context, attention.output.dense, residual Add, LayerNorm
    (epsilon 1e-12), intermediate.dense, GELU, output.dense, residual Add, LayerNorm.
  GELU is its tanh approximation 0.5·x·(1 + tanh(sqrt(2/pi)·(x + 0.044715·x³))) in Mul, Add and Tanh
  nodes: ONNX's Gelu is opset 20, beyond Debian's onnx 1.12 (GPT-2 uses this approximation; BERT's
  erf form differs from it by less than 1e-3). Weights are graph inputs (HF module names, weight
  [in, out] as a MatMul takes it), seeded by the run; initializers hold only the reshape shapes,
  the scalars and the mask. The MatMul MACs are checked against 4·seq·d² + 2·seq²·d + 2·seq·d·ff.

Every model is checked with onnx.checker (full) and onnx.shape_inference (strict) on writing and
with --check; --check also regenerates the bytes and compares them with the committed files, and
compares the conv/Gemm nodes (names and MACs) with the layer lists that generate.py writes.
"""
import os
import sys

try:
    import onnx
    from onnx import TensorProto, helper
except ImportError:
    sys.exit(f"generate_graphs.py: {sys.executable} has no 'onnx' package; run it with /usr/bin/python3 "
             "(Debian's python3-onnx)")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "graphs")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ beside the configs
import generate  # noqa: E402  (the layer lists, for the cross-check)

OPSET = 13
IR_VERSION = 7  # the IR version of opset 13 (ONNX 1.8), what exporters write for it
FP32 = TensorProto.FLOAT


class Graph:
    """Builds one network: nodes in execution order, parameters as graph inputs."""

    def __init__(self, name):
        self.name = name
        self.nodes = []
        self.inputs = [helper.make_tensor_value_info("input", FP32, [1, 3, 224, 224])]
        self.initializers = []
        self.names = {}  # module name -> calls so far (for _2, _3 on repeated calls)

    def _node_name(self, module):
        calls = self.names.get(module, 0) + 1
        self.names[module] = calls
        return module if calls == 1 else f"{module}_{calls}"

    def _param(self, name, shape):
        self.inputs.append(helper.make_tensor_value_info(name, FP32, shape))
        return name

    def _op(self, op_type, module, inputs, output=None, **attrs):
        name = self._node_name(module)
        self.nodes.append(helper.make_node(op_type, inputs, [output or name], name=name, **attrs))
        return output or name

    def conv(self, module, x, c, oc, k, stride=1, pad=0, groups=1, bias=False):
        inputs = [x, self._param(f"{module}.weight", [oc, c // groups, k, k])]
        if bias:
            inputs.append(self._param(f"{module}.bias", [oc]))
        return self._op("Conv", module, inputs, kernel_shape=[k, k], strides=[stride, stride],
                        pads=[pad] * 4, dilations=[1, 1], group=groups)

    def bn(self, module, x, c):
        params = [self._param(f"{module}.{p}", [c]) for p in ("weight", "bias", "running_mean", "running_var")]
        return self._op("BatchNormalization", module, [x] + params, epsilon=1e-5, momentum=0.9)

    def relu(self, module, x):
        return self._op("Relu", module, [x])

    def relu6(self, module, x):
        if not self.initializers:
            self.initializers = [helper.make_tensor("relu6.min", FP32, [], [0.0]),
                                 helper.make_tensor("relu6.max", FP32, [], [6.0])]
        return self._op("Clip", module, [x, "relu6.min", "relu6.max"])

    def maxpool(self, module, x, k, stride, pad=0):
        return self._op("MaxPool", module, [x], kernel_shape=[k, k], strides=[stride, stride], pads=[pad] * 4)

    def identity_avgpool(self, module, x):
        """AdaptiveAvgPool2d to the size it already has, as exported: AveragePool 1x1, stride 1."""
        return self._op("AveragePool", module, [x], kernel_shape=[1, 1], strides=[1, 1])

    def global_avgpool(self, module, x):
        return self._op("GlobalAveragePool", module, [x])

    def flatten(self, module, x):
        return self._op("Flatten", module, [x], axis=1)

    def add(self, module, a, b):
        return self._op("Add", module, [a, b])

    def linear(self, module, x, inf, outf, output=None):
        w = self._param(f"{module}.weight", [outf, inf])
        b = self._param(f"{module}.bias", [outf])
        return self._op("Gemm", module, [x, w, b], output=output, alpha=1.0, beta=1.0, transB=1)

    def model(self, doc):
        out = helper.make_tensor_value_info("output", FP32, [1, 1000])
        graph = helper.make_graph(self.nodes, self.name, self.inputs, [out], initializer=self.initializers,
                                  doc_string=doc)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="arraysim configs/workloads/networks/generate_graphs.py")
        m.ir_version = IR_VERSION
        return m


# ---------------------------------------------------------------- torchvision definitions

def alexnet():
    g = Graph("alexnet")
    x = g.relu("features.1", g.conv("features.0", "input", 3, 64, 11, stride=4, pad=2, bias=True))
    x = g.maxpool("features.2", x, 3, 2)
    x = g.relu("features.4", g.conv("features.3", x, 64, 192, 5, pad=2, bias=True))
    x = g.maxpool("features.5", x, 3, 2)
    x = g.relu("features.7", g.conv("features.6", x, 192, 384, 3, pad=1, bias=True))
    x = g.relu("features.9", g.conv("features.8", x, 384, 256, 3, pad=1, bias=True))
    x = g.relu("features.11", g.conv("features.10", x, 256, 256, 3, pad=1, bias=True))
    x = g.maxpool("features.12", x, 3, 2)  # 13x13 -> 6x6
    x = g.flatten("flatten", g.identity_avgpool("avgpool", x))
    # classifier.0 and .3 are Dropout (identity in eval mode).
    x = g.relu("classifier.2", g.linear("classifier.1", x, 256 * 6 * 6, 4096))
    x = g.relu("classifier.5", g.linear("classifier.4", x, 4096, 4096))
    g.linear("classifier.6", x, 4096, 1000, output="output")
    return g.model("AlexNet, torchvision.models.alexnet (64/192/384/256/256 channels), eval mode, 224x224, batch 1.")


def vgg16():
    g = Graph("vgg16")
    x, c, idx = "input", 3, 0
    for width, convs in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
        for _ in range(convs):
            x = g.relu(f"features.{idx + 1}", g.conv(f"features.{idx}", x, c, width, 3, pad=1, bias=True))
            c, idx = width, idx + 2
        x = g.maxpool(f"features.{idx}", x, 2, 2)
        idx += 1
    x = g.flatten("flatten", g.identity_avgpool("avgpool", x))
    # classifier.2 and .5 are Dropout (identity in eval mode).
    x = g.relu("classifier.1", g.linear("classifier.0", x, 512 * 7 * 7, 4096))
    x = g.relu("classifier.4", g.linear("classifier.3", x, 4096, 4096))
    g.linear("classifier.6", x, 4096, 1000, output="output")
    return g.model("VGG-16 (configuration D), torchvision.models.vgg16 without batch norm, eval mode, 224x224, batch 1.")


def resnet(depth):
    bottleneck = depth == 50
    g = Graph(f"resnet{depth}")
    x = g.relu("relu", g.bn("bn1", g.conv("conv1", "input", 3, 64, 7, stride=2, pad=3), 64))
    x = g.maxpool("maxpool", x, 3, 2, pad=1)
    c = 64
    for stage, (width, count) in enumerate(zip([64, 128, 256, 512], {18: [2, 2, 2, 2], 50: [3, 4, 6, 3]}[depth]),
                                           start=1):
        for b in range(count):
            p, s = f"layer{stage}.{b}", (2 if b == 0 and stage > 1 else 1)
            block_in = x
            if bottleneck:
                out = width * 4
                y = g.relu(f"{p}.relu", g.bn(f"{p}.bn1", g.conv(f"{p}.conv1", x, c, width, 1), width))
                y = g.relu(f"{p}.relu", g.bn(f"{p}.bn2", g.conv(f"{p}.conv2", y, width, width, 3, stride=s, pad=1),
                                             width))
                y = g.bn(f"{p}.bn3", g.conv(f"{p}.conv3", y, width, out, 1), out)
            else:
                out = width
                y = g.relu(f"{p}.relu", g.bn(f"{p}.bn1", g.conv(f"{p}.conv1", x, c, width, 3, stride=s, pad=1), width))
                y = g.bn(f"{p}.bn2", g.conv(f"{p}.conv2", y, width, width, 3, pad=1), width)
            shortcut = block_in
            if s != 1 or c != out:  # projection shortcut, computed after the main path as in forward()
                shortcut = g.bn(f"{p}.downsample.1", g.conv(f"{p}.downsample.0", block_in, c, out, 1, stride=s), out)
            x = g.relu(f"{p}.relu", g.add(f"{p}.add", y, shortcut))
            c = out
    x = g.flatten("flatten", g.global_avgpool("avgpool", x))
    g.linear("fc", x, c, 1000, output="output")
    kind = "Bottleneck blocks, stride on conv2 (v1.5)" if bottleneck else "basic blocks"
    return g.model(f"ResNet-{depth}, torchvision.models.resnet{depth} ({kind}), eval mode, 224x224, batch 1.")


def mobilenet_v2():
    g = Graph("mobilenet_v2")

    def conv_bn_relu6(module, x, c, oc, k, stride=1, groups=1):  # Conv2dNormActivation
        y = g.conv(f"{module}.0", x, c, oc, k, stride=stride, pad=(k - 1) // 2, groups=groups)
        return g.relu6(f"{module}.2", g.bn(f"{module}.1", y, oc))

    x, c = conv_bn_relu6("features.0", "input", 3, 32, 3, stride=2), 32
    idx = 1
    for t, out, reps, stride in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                                 (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(reps):
            s, p, hidden = (stride if i == 0 else 1), f"features.{idx}.conv", c * t
            y, j = x, 0
            if t != 1:
                y, j = conv_bn_relu6(f"{p}.0", y, c, hidden, 1), 1
            y = conv_bn_relu6(f"{p}.{j}", y, hidden, hidden, 3, stride=s, groups=hidden)  # depthwise
            y = g.bn(f"{p}.{j + 2}", g.conv(f"{p}.{j + 1}", y, hidden, out, 1), out)  # linear projection
            x = g.add(f"features.{idx}.add", x, y) if s == 1 and c == out else y
            c, idx = out, idx + 1
    x = conv_bn_relu6(f"features.{idx}", x, c, 1280, 1)
    x = g.flatten("flatten", g.global_avgpool("avgpool", x))
    # classifier.0 is Dropout (identity in eval mode).
    g.linear("classifier.1", x, 1280, 1000, output="output")
    return g.model("MobileNetV2 (width 1.0), torchvision.models.mobilenet_v2, eval mode, 224x224, batch 1.")


NETWORKS = {"alexnet": alexnet, "vgg16": vgg16, "resnet18": lambda: resnet(18), "resnet50": lambda: resnet(50),
            "mobilenet_v2": mobilenet_v2}
LAYER_LISTS = {"alexnet": generate.alexnet, "vgg16": generate.vgg16, "resnet18": lambda: generate.resnet(18),
               "resnet50": lambda: generate.resnet(50), "mobilenet_v2": generate.mobilenet_v2}


# ---------------------------------------------------------------- transformer blocks

TRANSFORMER_OPSET = 17  # LayerNormalization is opset 17
TRANSFORMER_IR_VERSION = 8  # the IR version of opset 17 (ONNX 1.12)
INT64 = TensorProto.INT64


class Block:
    """Builds one transformer block: input "input" [1, seq, d], output "output" [1, seq, d];
    parameters as graph inputs, shapes and constants as initializers."""

    def __init__(self, name, seq, d, heads, ff):
        self.name, self.seq, self.d, self.heads, self.ff = name, seq, d, heads, ff
        self.dh = d // heads
        self.nodes = []
        self.inputs = [helper.make_tensor_value_info("input", FP32, [1, seq, d])]
        self.initializers = []
        self.constants = {}  # (dtype, values, dims) -> initializer name, each constant once

    def param(self, name, shape):
        self.inputs.append(helper.make_tensor_value_info(name, FP32, shape))
        return name

    def const(self, name, dtype, dims, values):
        key = (dtype, tuple(dims), tuple(values))
        if key not in self.constants:
            self.initializers.append(helper.make_tensor(name, dtype, dims, values))
            self.constants[key] = name
        return self.constants[key]

    def scalar(self, value):
        return self.const(f"const.{value:g}", FP32, [], [value])

    def op(self, op_type, name, inputs, output=None, **attrs):
        self.nodes.append(helper.make_node(op_type, inputs, [output or name], name=name, **attrs))
        return output or name

    def layer_norm(self, module, x):
        return self.op("LayerNormalization", module,
                       [x, self.param(f"{module}.weight", [self.d]), self.param(f"{module}.bias", [self.d])],
                       axis=-1, epsilon=1e-5)

    def linear(self, module, x, inf, outf, output=None):
        """x [1, seq, inf] · weight [inf, outf] + bias: MatMul and Add, as an nn.Linear exports."""
        y = self.op("MatMul", module, [x, self.param(f"{module}.weight", [inf, outf])])
        return self.op("Add", f"{module}.add_bias", [y, self.param(f"{module}.bias", [outf])], output=output)

    def heads_of(self, module, x, perm):
        """[1, seq, d] -> [1, seq, heads, dh] -> Transpose(perm): [1, heads, seq, dh] or, for K,
        [1, heads, dh, seq]."""
        shape = self.const("shape.heads", INT64, [4], [1, self.seq, self.heads, self.dh])
        y = self.op("Reshape", f"{module}.split_heads", [x, shape])
        return self.op("Transpose", f"{module}.transpose", [y], perm=perm)

    def attention(self, prefix, x, q_name, k_name, v_name, out_name, scale_op, causal):
        """Multi-head self-attention: Q·Kᵀ and P·V as batched matmuls over [1, heads]."""
        d = self.d
        q = self.heads_of(q_name, self.linear(q_name, x, d, d), [0, 2, 1, 3])
        k = self.heads_of(k_name, self.linear(k_name, x, d, d), [0, 2, 3, 1])
        v = self.heads_of(v_name, self.linear(v_name, x, d, d), [0, 2, 1, 3])
        s = self.op("MatMul", f"{prefix}.scores", [q, k])  # [1, heads, seq, seq]
        if scale_op == "Div":
            s = self.op("Div", f"{prefix}.scale", [s, self.scalar(float(self.dh) ** 0.5)])
        else:
            s = self.op("Mul", f"{prefix}.scale", [s, self.scalar(1.0 / float(self.dh) ** 0.5)])
        if causal:
            # 0 on and below the diagonal, -1e4 above it (GPT-2's masked_bias): a key after the
            # query gets exp(-1e4 + ...) = 0 in the softmax.
            n = self.seq
            mask = [0.0 if j <= i else -1e4 for i in range(n) for j in range(n)]
            s = self.op("Add", f"{prefix}.causal_mask", [s, self.const("causal_mask", FP32, [1, 1, n, n], mask)])
        p = self.op("Softmax", f"{prefix}.softmax", [s], axis=-1)
        c = self.op("MatMul", f"{prefix}.context", [p, v])  # [1, heads, seq, dh]
        c = self.op("Transpose", f"{prefix}.merge_heads", [c], perm=[0, 2, 1, 3])
        c = self.op("Reshape", f"{prefix}.merge_heads.reshape",
                    [c, self.const("shape.tokens", INT64, [3], [1, self.seq, d])])
        return self.linear(out_name, c, d, d)

    def gelu(self, module, x):
        """GELU, tanh approximation, in elementary operators (Gelu is opset 20, beyond ONNX 1.12):
        0.5·x·(1 + tanh(sqrt(2/pi)·(x + 0.044715·x³)))."""
        x2 = self.op("Mul", f"{module}.x2", [x, x])
        x3 = self.op("Mul", f"{module}.x3", [x2, x])
        inner = self.op("Add", f"{module}.inner", [x, self.op("Mul", f"{module}.cubic", [x3, self.scalar(0.044715)])])
        t = self.op("Tanh", f"{module}.tanh", [self.op("Mul", f"{module}.scale", [inner,
                                                                                   self.scalar(0.7978845608028654)])])
        half = self.op("Mul", f"{module}.half", [x, self.scalar(0.5)])
        return self.op("Mul", module, [half, self.op("Add", f"{module}.one_plus", [t, self.scalar(1.0)])])

    def model(self, doc):
        out = helper.make_tensor_value_info("output", FP32, [1, self.seq, self.d])
        graph = helper.make_graph(self.nodes, self.name, self.inputs, [out], initializer=self.initializers,
                                  doc_string=doc)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", TRANSFORMER_OPSET)],
                              producer_name="arraysim configs/workloads/networks/generate_graphs.py")
        m.ir_version = TRANSFORMER_IR_VERSION
        return m

    def macs(self):
        """Q, K, V and output projections 4·seq·d², scores and context 2·seq²·d, MLP 2·seq·d·ff."""
        return 4 * self.seq * self.d ** 2 + 2 * self.seq ** 2 * self.d + 2 * self.seq * self.d * self.ff


def gpt2_block(name, seq, d, heads, ff):
    """A GPT-2 decoder block (transformers GPT2Block, pre-LN): x + attn(ln_1(x)), then + mlp(ln_2(.))."""
    b = Block(name, seq, d, heads, ff)
    a = b.attention("attn", b.layer_norm("ln_1", "input"), "attn.c_attn.q", "attn.c_attn.k", "attn.c_attn.v",
                    "attn.c_proj", "Div", causal=True)
    r = b.op("Add", "attn.residual", ["input", a])
    h = b.gelu("mlp.act", b.linear("mlp.c_fc", b.layer_norm("ln_2", r), d, ff))
    m = b.linear("mlp.c_proj", h, ff, d)
    b.op("Add", "mlp.residual", [r, m], output="output")
    return b, b.model(f"GPT-2-style decoder block (GPT2Block, pre-LN, causal), seq {seq}, d_model {d}, {heads} heads, "
                      f"MLP {ff}, batch 1; c_attn as three projections q, k, v.")


def bert_block(name, seq, d, heads, ff):
    """A BERT encoder layer (transformers BertLayer, post-LN): LN(x + attn(x)), then LN(. + ffn(.))."""
    b = Block(name, seq, d, heads, ff)
    a = b.attention("attention.self", "input", "attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense", "Mul", causal=False)
    r = b.layer_norm("attention.output.LayerNorm", b.op("Add", "attention.output.residual", ["input", a]))
    h = b.gelu("intermediate.intermediate_act_fn", b.linear("intermediate.dense", r, d, ff))
    o = b.op("Add", "output.residual", [r, b.linear("output.dense", h, ff, d)])
    b.op("LayerNormalization", "output.LayerNorm",
         [o, b.param("output.LayerNorm.weight", [d]), b.param("output.LayerNorm.bias", [d])], output="output",
         axis=-1, epsilon=1e-12)
    return b, b.model(f"BERT-style encoder layer (BertLayer, post-LN), seq {seq}, d_model {d}, {heads} heads, "
                      f"FFN {ff}, batch 1; GELU as its tanh approximation.")


TRANSFORMERS = {
    "gpt2_block_tiny": lambda: gpt2_block("gpt2_block_tiny", 16, 64, 4, 256),
    "bert_block_tiny": lambda: bert_block("bert_block_tiny", 16, 64, 4, 256),
    "gpt2_small_block": lambda: gpt2_block("gpt2_small_block", 128, 768, 12, 3072),
}


# ---------------------------------------------------------------- checks

def gemm_nodes(model):
    """(name, MACs) of every Conv and Gemm, from the shapes ONNX shape inference gives."""
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    g = inferred.graph
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(g.input) + list(g.value_info) + list(g.output)}
    out = []
    for n in g.node:
        if n.op_type == "Conv":
            oc, cg, kh, kw = shapes[n.input[1]]
            _, _, p, q = shapes[n.output[0]]
            out.append((n.name, oc * p * q * cg * kh * kw))
        elif n.op_type == "Gemm":
            m, k = shapes[n.input[0]]
            nn = shapes[n.input[1]][0]
            out.append((n.name, m * nn * k))
    return out, shapes["output"]


def check(name, model):
    """Problems of one model: checker, shape inference, output shape, agreement with the layer list."""
    problems = []
    onnx.checker.check_model(model, full_check=True)
    nodes, out_shape = gemm_nodes(model)
    if out_shape != [1, 1000]:
        problems.append(f"{name}: output shape {out_shape}, expected [1, 1000]")
    net = LAYER_LISTS[name]()
    listed = [line.split("name: ", 1)[1].split(",", 1)[0] for line in net.lines if "name: " in line]
    if [n for n, _ in nodes] != listed:
        problems.append(f"{name}: conv/Gemm nodes {[n for n, _ in nodes]} differ from {name}.yaml's layers {listed}")
    macs = sum(m for _, m in nodes)
    if macs != net.macs:
        problems.append(f"{name}: {macs:,} MACs, {name}.yaml lists {net.macs:,}")
    if model.graph.input[0].name != "input":
        problems.append(f"{name}: the first graph input is '{model.graph.input[0].name}', not 'input'")
    return problems, macs


def check_transformer(name, block, model):
    """Problems of one transformer block: checker, shape inference, output shape, MatMul MACs
    against the closed form Block.macs()."""
    problems = []
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    g = inferred.graph
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(g.input) + list(g.value_info) + list(g.output)}
    macs = 0
    for n in g.node:
        if n.op_type == "MatMul":
            out = shapes[n.output[0]]
            count = 1
            for dim in out[:-1]:
                count *= dim
            macs += count * out[-1] * shapes[n.input[0]][-1]
    if shapes["output"] != [1, block.seq, block.d]:
        problems.append(f"{name}: output shape {shapes['output']}, expected {[1, block.seq, block.d]}")
    if macs != block.macs():
        problems.append(f"{name}: {macs:,} MatMul MACs, the closed form gives {block.macs():,}")
    return problems, macs


def models():
    """(name, model, problems, MACs) of every file this script writes."""
    for name, make in NETWORKS.items():
        model = make()
        found, macs = check(name, model)
        yield name, model, found, macs
    for name, make in TRANSFORMERS.items():
        block, model = make()
        found, macs = check_transformer(name, block, model)
        yield name, model, found, macs


def main(argv):
    check_only = "--check" in argv[1:]
    problems, stale = [], []
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, model, found, macs in models():
        data = model.SerializeToString()
        problems += found
        path = os.path.join(OUT_DIR, name + ".onnx")
        if check_only:
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        stale.append(path)
            except OSError:
                stale.append(path)
            continue
        with open(path, "wb") as f:
            f.write(data)
        counts = {}
        for n in model.graph.node:
            counts[n.op_type] = counts.get(n.op_type, 0) + 1
        ops = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"{path}: {len(data):,} bytes, {len(model.graph.node)} nodes ({ops}), "
              f"{len(model.graph.input) - 1} parameter inputs, {macs:,} MACs")
    for p in problems:
        print(p, file=sys.stderr)
    if stale:
        print("out of date (run generate_graphs.py): " + ", ".join(stale), file=sys.stderr)
    return 1 if problems or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

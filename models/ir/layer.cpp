#include "models/ir/layer.hpp"

namespace arraysim::ir {

std::string layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::gemm: return "gemm";
    case LayerKind::fc: return "fc";
    case LayerKind::conv2d: return "conv2d";
  }
  return "?";
}

static std::int64_t conv_out(std::int64_t in, std::int64_t pad, std::int64_t kernel, std::int64_t dilation,
                             std::int64_t stride) {
  const std::int64_t span = dilation * (kernel - 1) + 1;  // receptive field of the kernel
  if (stride <= 0 || in + pad < span) return 0;
  return (in + pad - span) / stride + 1;
}

std::int64_t Conv2dParams::out_h() const { return conv_out(h, pad_top + pad_bottom, kernel_h, dilation_h, stride_h); }
std::int64_t Conv2dParams::out_w() const { return conv_out(w, pad_left + pad_right, kernel_w, dilation_w, stride_w); }

std::vector<LayerIssue> validate(const Layer& l) {
  std::vector<LayerIssue> out;
  auto positive = [&](const char* field, std::int64_t v) {
    if (v <= 0) out.push_back({field, "must be >= 1, got " + std::to_string(v)});
  };
  auto non_negative = [&](const char* field, std::int64_t v) {
    if (v < 0) out.push_back({field, "must be >= 0, got " + std::to_string(v)});
  };
  switch (l.kind) {
    case LayerKind::gemm:
      positive("m", l.gemm.m);
      positive("n", l.gemm.n);
      positive("k", l.gemm.k);
      break;
    case LayerKind::fc:
      positive("batch", l.fc.batch);
      positive("in_features", l.fc.in_features);
      positive("out_features", l.fc.out_features);
      break;
    case LayerKind::conv2d: {
      const Conv2dParams& c = l.conv;
      positive("batch", c.n);
      positive("in_channels", c.c);
      positive("in_height", c.h);
      positive("in_width", c.w);
      positive("out_channels", c.out_channels);
      positive("kernel_h", c.kernel_h);
      positive("kernel_w", c.kernel_w);
      positive("stride_h", c.stride_h);
      positive("stride_w", c.stride_w);
      positive("dilation_h", c.dilation_h);
      positive("dilation_w", c.dilation_w);
      positive("groups", c.groups);
      non_negative("pad_top", c.pad_top);
      non_negative("pad_bottom", c.pad_bottom);
      non_negative("pad_left", c.pad_left);
      non_negative("pad_right", c.pad_right);
      if (!out.empty()) break;
      if (c.c % c.groups != 0)
        out.push_back({"groups", "groups (" + std::to_string(c.groups) + ") must divide in_channels (" +
                                     std::to_string(c.c) + ")"});
      if (c.out_channels % c.groups != 0)
        out.push_back({"groups", "groups (" + std::to_string(c.groups) + ") must divide out_channels (" +
                                     std::to_string(c.out_channels) + ")"});
      const std::int64_t span_h = c.dilation_h * (c.kernel_h - 1) + 1;
      const std::int64_t span_w = c.dilation_w * (c.kernel_w - 1) + 1;
      if (span_h > c.h + c.pad_top + c.pad_bottom)
        out.push_back({"kernel_h", "dilated kernel height " + std::to_string(span_h) + " exceeds padded input height " +
                                       std::to_string(c.h + c.pad_top + c.pad_bottom)});
      if (span_w > c.w + c.pad_left + c.pad_right)
        out.push_back({"kernel_w", "dilated kernel width " + std::to_string(span_w) + " exceeds padded input width " +
                                       std::to_string(c.w + c.pad_left + c.pad_right)});
      break;
    }
  }
  return out;
}

GemmDims gemm_dims(const Layer& l) {
  switch (l.kind) {
    case LayerKind::gemm: return {l.gemm.m, l.gemm.n, l.gemm.k, 1};
    case LayerKind::fc: return {l.fc.batch, l.fc.out_features, l.fc.in_features, 1};
    case LayerKind::conv2d: {
      const Conv2dParams& c = l.conv;
      return {c.n * c.out_h() * c.out_w(), c.oc_per_group(), c.c_per_group() * c.kernel_h * c.kernel_w, c.groups};
    }
  }
  return {};
}

std::int64_t macs(const Layer& l) {
  const GemmDims g = gemm_dims(l);
  return g.m * g.n * g.k * g.groups;
}

std::int64_t macs(const Network& n) {
  std::int64_t s = 0;
  for (const Layer& l : n.layers) s += macs(l);
  return s;
}

Shape input_shape(const Layer& l) {
  switch (l.kind) {
    case LayerKind::gemm: return {l.gemm.m, l.gemm.k};
    case LayerKind::fc: return {l.fc.batch, l.fc.in_features};
    case LayerKind::conv2d: return {l.conv.n, l.conv.c, l.conv.h, l.conv.w};
  }
  return {};
}

Shape weight_shape(const Layer& l) {
  switch (l.kind) {
    case LayerKind::gemm: return {l.gemm.k, l.gemm.n};
    case LayerKind::fc: return {l.fc.in_features, l.fc.out_features};
    case LayerKind::conv2d: return {l.conv.out_channels, l.conv.c_per_group(), l.conv.kernel_h, l.conv.kernel_w};
  }
  return {};
}

Shape output_shape(const Layer& l) {
  switch (l.kind) {
    case LayerKind::gemm: return {l.gemm.m, l.gemm.n};
    case LayerKind::fc: return {l.fc.batch, l.fc.out_features};
    case LayerKind::conv2d: return {l.conv.n, l.conv.out_channels, l.conv.out_h(), l.conv.out_w()};
  }
  return {};
}

LayerOperands make_operands(const Layer& l, std::size_t index, std::uint64_t seed, DType input_dtype,
                            DType weight_dtype) {
  LayerOperands ops{Tensor(input_dtype, input_shape(l)), Tensor(weight_dtype, weight_shape(l))};
  fill_random(ops.input, seed, 2 * index);
  fill_random(ops.weight, seed, 2 * index + 1);
  return ops;
}

}  // namespace arraysim::ir

#include "runtime/matmul_fusion.h"

#include <string>

#include "graph/attr_value.h"
#include "runtime/fusion_patterns.h"

namespace rill {
namespace {

// Whether `o`, produced inside a match, is used only by `reader` (one edge)
// and neither fed nor fetched; its node has no control edges.
bool OnlyFeeds(const Output& o, const Node& reader,
               const std::function<bool(const Output&)>& is_private) {
  const Node& n = *o.node;
  if (n.num_outputs() != 1 || !is_private(o) || !n.control_consumers().empty() ||
      !n.control_inputs().empty()) {
    return false;
  }
  return n.data_consumers().size() == 1 && n.data_consumers()[0].first == &reader;
}

}  // namespace

std::optional<MatMulBiasMatch> MatchMatMulBias(
    const Node& last, const std::function<bool(const Output&)>& is_private) {
  const std::string& op = last.op();
  if ((op != "BiasAdd" && op != "Relu" && op != "Sigmoid" && op != "Tanh") ||
      BaseType(last.output_type(0)) != DT_FLOAT) {
    return std::nullopt;
  }
  MatMulBiasMatch m;
  m.output = &last;
  const Node* biasadd = &last;
  if (op != "BiasAdd") {
    m.activation = op == "Relu"      ? FusedActivation::kRelu
                   : op == "Sigmoid" ? FusedActivation::kSigmoid
                                     : FusedActivation::kTanh;
    const Output in = last.input(0);
    if (!IsOp(in, "BiasAdd") || !OnlyFeeds(in, last, is_private)) return std::nullopt;
    biasadd = in.node;
  }
  const absl::StatusOr<std::string> format = GetStringAttr(biasadd->attrs(), "data_format");
  if (!format.ok() || *format != "NHWC") return std::nullopt;
  const Output matmul = biasadd->input(0);
  if (!IsOp(matmul, "MatMul") || !OnlyFeeds(matmul, *biasadd, is_private)) return std::nullopt;
  const absl::StatusOr<bool> transpose_a = GetBoolAttr(matmul.node->attrs(), "transpose_a");
  const absl::StatusOr<bool> transpose_b = GetBoolAttr(matmul.node->attrs(), "transpose_b");
  if (!transpose_a.ok() || !transpose_b.ok()) return std::nullopt;
  m.transpose_a = *transpose_a;
  m.transpose_b = *transpose_b;
  m.interior = {matmul.node};
  const Output a = matmul.node->input(0);
  if (!m.transpose_a && IsOp(a, "ConcatV2") && a.node->num_inputs() >= 3 &&
      a.shape().rank() == 2 && IsAxisOne(a.node->input(a.node->num_inputs() - 1)) &&
      OnlyFeeds(a, *matmul.node, is_private)) {
    m.pieces = a.node->num_inputs() - 1;
    for (int i = 0; i < m.pieces; ++i) m.inputs.push_back(a.node->input(i));
    m.interior.push_back(a.node);
  } else {
    m.inputs.push_back(a);
  }
  m.inputs.push_back(matmul.node->input(1));
  m.inputs.push_back(biasadd->input(1));
  if (biasadd != &last) m.interior.push_back(biasadd);
  m.interior.push_back(&last);
  return m;
}

}  // namespace rill

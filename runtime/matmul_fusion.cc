#include "runtime/matmul_fusion.h"

#include <string>

namespace rill {
namespace {

bool IsOp(const Output& o, const char* op) { return o.valid() && o.node->op() == op; }

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

bool BoolAttr(const Node& n, const char* name, bool* value) {
  auto it = n.attrs().find(name);
  if (it == n.attrs().end()) return false;
  *value = it->second.b();
  return true;
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
  auto format = biasadd->attrs().find("data_format");
  if (format == biasadd->attrs().end() || format->second.s() != "NHWC") return std::nullopt;
  const Output matmul = biasadd->input(0);
  if (!IsOp(matmul, "MatMul") || !OnlyFeeds(matmul, *biasadd, is_private) ||
      !BoolAttr(*matmul.node, "transpose_a", &m.transpose_a) ||
      !BoolAttr(*matmul.node, "transpose_b", &m.transpose_b)) {
    return std::nullopt;
  }
  m.inputs = {matmul.node->input(0), matmul.node->input(1), biasadd->input(1)};
  m.interior = {matmul.node};
  if (biasadd != &last) m.interior.push_back(biasadd);
  m.interior.push_back(&last);
  return m;
}

}  // namespace rill

#include "runtime/gru_fusion.h"

#include <algorithm>
#include <optional>

#include "runtime/fusion_patterns.h"

namespace rill {
namespace {

bool Attr(const Node& n, const char* name, bool value) {
  auto it = n.attrs().find(name);
  return it != n.attrs().end() && it->second.b() == value;
}

// For a Mul, returns the operand that is not `known` (or invalid).
Output OtherOperand(const Node& mul, const Output& known) {
  if (mul.input(0) == known) return mul.input(1);
  if (mul.input(1) == known) return mul.input(0);
  return Output();
}

// Matches BiasAdd(MatMul(ConcatV2(first, second, axis=1), W), b) backwards
// from `biasadd`; fills the pieces.
bool MatchProjection(const Output& biasadd, Output* first, Output* second, Output* w,
                     Output* b, std::vector<const Node*>* interior) {
  if (!IsOp(biasadd, "BiasAdd")) return false;
  auto fmt = biasadd.node->attrs().find("data_format");
  if (fmt == biasadd.node->attrs().end() || fmt->second.s() != "NHWC") return false;
  const Output matmul = biasadd.node->input(0);
  if (!IsOp(matmul, "MatMul") || !Attr(*matmul.node, "transpose_a", false) ||
      !Attr(*matmul.node, "transpose_b", false)) {
    return false;
  }
  const Output concat = matmul.node->input(0);
  if (!IsOp(concat, "ConcatV2") || concat.node->num_inputs() != 3 ||
      !IsAxisOne(concat.node->input(2))) {
    return false;
  }
  *first = concat.node->input(0);
  *second = concat.node->input(1);
  *w = matmul.node->input(1);
  *b = biasadd.node->input(1);
  interior->insert(interior->end(), {biasadd.node, matmul.node, concat.node});
  return true;
}

}  // namespace

std::optional<GruCellMatch> MatchGruCell(const Node& add,
                                         const std::function<bool(const Output&)>& is_private) {
  if ((add.op() != "AddV2" && add.op() != "Add") || BaseType(add.output_type(0)) != DT_FLOAT) {
    return std::nullopt;
  }
  // One addend is mul_2 = Mul(Sub(1, u), Tanh(...)), the other mul_1 = Mul(u, h).
  for (int order = 0; order < 2; ++order) {
    const Output mul_2 = add.input(order), mul_1 = add.input(1 - order);
    if (!IsOp(mul_2, "Mul") || !IsOp(mul_1, "Mul")) continue;
    Output sub, tanh;
    for (int i = 0; i < 2 && !sub.valid(); ++i) {
      if (IsOp(mul_2.node->input(i), "Sub") && IsOp(mul_2.node->input(1 - i), "Tanh")) {
        sub = mul_2.node->input(i);
        tanh = mul_2.node->input(1 - i);
      }
    }
    if (!sub.valid() || !IsConstScalar(sub.node->input(0), 1.0)) continue;
    const Output u = sub.node->input(1);
    if (!IsOp(u, "Split") || u.index != 1 || u.node->num_outputs() != 2 ||
        !IsAxisOne(u.node->input(0))) {
      continue;
    }
    const Output h = OtherOperand(*mul_1.node, u);
    const Output sigmoid = u.node->input(1);
    if (!h.valid() || !IsOp(sigmoid, "Sigmoid")) continue;

    GruCellMatch m;
    m.output = &add;
    Output x, h_again, w_ru, b_ru, x_again, r_h, w_c, b_c;
    if (!MatchProjection(sigmoid.node->input(0), &x, &h_again, &w_ru, &b_ru, &m.interior) ||
        !(h_again == h) ||
        !MatchProjection(tanh.node->input(0), &x_again, &r_h, &w_c, &b_c, &m.interior) ||
        !(x_again == x) || !IsOp(r_h, "Mul")) {
      continue;
    }
    const Output r(u.node, 0);
    if (!(OtherOperand(*r_h.node, r) == h)) continue;
    m.interior.insert(m.interior.end(), {&add, mul_1.node, mul_2.node, sub.node, tanh.node,
                                         u.node, sigmoid.node, r_h.node});
    // Static sizes: the graph's shape inference already checked them.
    const TensorShape& ws = w_ru.shape();
    const TensorShape& xs = x.shape();
    if (ws.unknown_rank() || xs.unknown_rank() || ws.rank() != 2 || xs.rank() != 2 ||
        xs.dim(1) < 0 || ws.dim(1) < 0 || ws.dim(1) % 2 != 0 ||
        ws.dim(0) != xs.dim(1) + ws.dim(1) / 2) {
      continue;
    }
    m.input_size = xs.dim(1);
    m.units = ws.dim(1) / 2;
    // Every interior tensor except the final output must stay inside.
    bool private_only = true;
    for (const Node* n : m.interior) {
      if (n == &add) continue;
      for (int i = 0; i < n->num_outputs(); ++i) {
        private_only &= is_private(Output(const_cast<Node*>(n), i));
        for (const auto& [consumer, slot] : n->data_consumers()) {
          private_only &= std::find(m.interior.begin(), m.interior.end(), consumer) !=
                          m.interior.end();
        }
      }
      private_only &= n->control_consumers().empty() && n->control_inputs().empty();
    }
    if (!private_only) continue;
    m.inputs = {x, h, w_ru, b_ru, w_c, b_c};
    return m;
  }
  return std::nullopt;
}

}  // namespace rill

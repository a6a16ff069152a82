// Finds the GRU steps TensorFlow's GRUCell emits (and TF 1.x frozen graphs
// contain) so the executor can run each as one FusedGruKernel:
//
//   concat   = ConcatV2(x, h, axis=1)        concat_1 = ConcatV2(x, mul, axis=1)
//   MatMul   = MatMul(concat, W_ru)          MatMul_1 = MatMul(concat_1, W_c)
//   BiasAdd  = BiasAdd(MatMul, b_ru)         BiasAdd_1 = BiasAdd(MatMul_1, b_c)
//   Sigmoid  = Sigmoid(BiasAdd)              Tanh     = Tanh(BiasAdd_1)
//   split    = Split(1, Sigmoid), 2 ways     mul_1    = Mul(split:1, h)
//   mul      = Mul(split:0, h)               sub      = Sub(1.0, split:1)
//   mul_2    = Mul(sub, Tanh)                add      = Add|AddV2(mul_1, mul_2)
//
// (Mul operands in either order.) A match is used only when no interior
// tensor is needed outside the step — not consumed elsewhere, fetched or fed
// — so fusing never changes what a run computes or returns.
#ifndef RILL_RUNTIME_GRU_FUSION_H_
#define RILL_RUNTIME_GRU_FUSION_H_

#include <functional>
#include <vector>

#include "graph/node.h"

namespace rill {

struct GruCellMatch {
  const Node* output = nullptr;  // The final Add/AddV2; the fused step keeps its name.
  // x, h, W_ru, b_ru, W_c, b_c: the fused kernel's inputs, in order.
  std::vector<Output> inputs;
  // Every node the fused step replaces (the output node included).
  std::vector<const Node*> interior;
  int64_t input_size = 0;
  int64_t units = 0;
};

// `add` is a candidate final node. `is_private(output)` must say whether a
// tensor is used by nothing but its consumers in the graph (not fed, not
// fetched). Returns the match, or nullopt.
std::optional<GruCellMatch> MatchGruCell(const Node& add,
                                         const std::function<bool(const Output&)>& is_private);

}  // namespace rill

#endif  // RILL_RUNTIME_GRU_FUSION_H_

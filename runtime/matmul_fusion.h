// Finds dense layers outside the GRU pattern so the executor can run each as
// one FusedMatMulKernel:
//
//   y = BiasAdd(MatMul(a, w), b)            (data_format NHWC, float)
//   y = Relu|Sigmoid|Tanh(BiasAdd(MatMul(a, w), b))
//
// where a may be ConcatV2(a_1, ..., a_n, axis=1) of rank 2 (not with
// transpose_a): the fused step then reads the pieces where they are instead
// of a concatenated copy (BasicRNNCell's [x, h], a GRU whose interior tensors
// are needed elsewhere).
//
// As for the GRU rewrite, a match is used only when no interior tensor is
// needed outside it (consumed elsewhere, fetched or fed) and no interior
// node has control edges, so fusing never changes what a run returns.
#ifndef RILL_RUNTIME_MATMUL_FUSION_H_
#define RILL_RUNTIME_MATMUL_FUSION_H_

#include <functional>
#include <optional>
#include <vector>

#include "graph/node.h"
#include "runtime/kernels/fused_matmul_kernel.h"

namespace rill {

struct MatMulBiasMatch {
  const Node* output = nullptr;  // The last node; the fused step keeps its name.
  // a (or its pieces a_1..a_n), w, bias: the fused kernel's inputs.
  std::vector<Output> inputs;
  int pieces = 1;  // How many inputs make up a.
  std::vector<const Node*> interior;  // Every node replaced, the output included.
  bool transpose_a = false;
  bool transpose_b = false;
  FusedActivation activation = FusedActivation::kNone;
};

// `last` is a candidate final node (an activation or a BiasAdd);
// `is_private(output)` says whether a tensor is neither fed nor fetched.
std::optional<MatMulBiasMatch> MatchMatMulBias(
    const Node& last, const std::function<bool(const Output&)>& is_private);

}  // namespace rill

#endif  // RILL_RUNTIME_MATMUL_FUSION_H_

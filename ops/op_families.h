// Registration entry points of the op families (one .cc each).
#ifndef RILL_OPS_OP_FAMILIES_H_
#define RILL_OPS_OP_FAMILIES_H_

#include "absl/status/status.h"

namespace rill {

class OpRegistry;

// Placeholder, PlaceholderWithDefault, Const, Identity, NoOp, ConcatV2, Split,
// Fill, Reshape, Shape.
absl::Status RegisterArrayOps(OpRegistry& registry);
// MatMul, Add, AddV2, Sub, Mul, RealDiv, Sigmoid, Tanh.
absl::Status RegisterMathOps(OpRegistry& registry);
// BiasAdd, Relu.
absl::Status RegisterNnOps(OpRegistry& registry);
// VariableV2, Assign, RandomUniform, RandomStandardNormal, TruncatedNormal.
absl::Status RegisterStateOps(OpRegistry& registry);
// Qr, MatrixDiagPart, DiagPart, Sign, Transpose (the orthogonal initializer's
// ops).
absl::Status RegisterLinalgOps(OpRegistry& registry);

}  // namespace rill

#endif  // RILL_OPS_OP_FAMILIES_H_

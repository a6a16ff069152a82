// Typed builders for the math ops (see array_ops.h for the conventions).
#ifndef RILL_OPS_MATH_OPS_H_
#define RILL_OPS_MATH_OPS_H_

#include "graph/scope.h"

namespace rill {
namespace ops {

Output MatMul(const Scope& scope, Output a, Output b, bool transpose_a = false,
              bool transpose_b = false);
Output Add(const Scope& scope, Output x, Output y);
Output AddV2(const Scope& scope, Output x, Output y);
Output Sub(const Scope& scope, Output x, Output y);
// `x - y` with a Python-number x: Const "<name>/x" then Sub "<name>" (default
// name "sub"), as TensorFlow writes `1 - u`.
Output SubFromScalar(const Scope& scope, float x, Output y);
Output Mul(const Scope& scope, Output x, Output y);
Output RealDiv(const Scope& scope, Output x, Output y);
Output Sigmoid(const Scope& scope, Output x);
Output Tanh(const Scope& scope, Output x);

}  // namespace ops
}  // namespace rill

#endif  // RILL_OPS_MATH_OPS_H_

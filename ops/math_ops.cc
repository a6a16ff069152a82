#include "ops/math_ops.h"

#include "ops/array_ops.h"
#include "ops/op_builder.h"

namespace rill {
namespace ops {
namespace {

Output Out(Node* n) { return n ? Output(n, 0) : Output(); }

// Python's lower-case default names for the operator overloads.
Output Binary(const Scope& scope, const char* op, const char* name, Output x, Output y) {
  return Out(BuildNode(scope, op, {x, y}, {}, name));
}

}  // namespace

Output MatMul(const Scope& scope, Output a, Output b, bool transpose_a, bool transpose_b) {
  return Out(BuildNode(scope, "MatMul", {a, b},
                       {{"transpose_a", AttrBool(transpose_a)},
                        {"transpose_b", AttrBool(transpose_b)}}));
}

Output Add(const Scope& scope, Output x, Output y) { return Binary(scope, "Add", "add", x, y); }
Output AddV2(const Scope& scope, Output x, Output y) {
  return Binary(scope, "AddV2", "add", x, y);
}
Output Sub(const Scope& scope, Output x, Output y) { return Binary(scope, "Sub", "sub", x, y); }
Output Mul(const Scope& scope, Output x, Output y) { return Binary(scope, "Mul", "mul", x, y); }
Output RealDiv(const Scope& scope, Output x, Output y) {
  return Binary(scope, "RealDiv", "truediv", x, y);
}

Output SubFromScalar(const Scope& scope, float x, Output y) {
  if (!scope.ok()) return Output();
  const std::string name = scope.GetUniqueNameForOp("sub");
  Tensor value = Tensor::Scalar(x);
  if (y.valid() && BaseType(y.dtype()) == DT_DOUBLE) {
    value = Tensor::Scalar(static_cast<double>(x));
  }
  Output xt = Const(HelperScope(scope, name).WithOpName("x"), value);
  return Out(BuildNodeNamed(scope, name, "Sub", {xt, y}));
}

Output Sigmoid(const Scope& scope, Output x) { return Out(BuildNode(scope, "Sigmoid", {x})); }
Output Tanh(const Scope& scope, Output x) { return Out(BuildNode(scope, "Tanh", {x})); }

}  // namespace ops
}  // namespace rill

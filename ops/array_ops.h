// Typed builders for the array ops. Each adds one node (plus the helper
// Consts TensorFlow's Python API adds, named the same way) and returns its
// output; on error the scope's status is set and an invalid Output returned.
#ifndef RILL_OPS_ARRAY_OPS_H_
#define RILL_OPS_ARRAY_OPS_H_

#include <vector>

#include "graph/scope.h"
#include "graph/tensor.h"

namespace rill {
namespace ops {

Output Placeholder(const Scope& scope, DataType dtype,
                   const TensorShape& shape = TensorShape::Unknown());
Output PlaceholderWithDefault(const Scope& scope, Output input, const TensorShape& shape);
Output Const(const Scope& scope, const Tensor& value);
Output Const(const Scope& scope, float value);
// A float tensor of `shape` from row-major `values`.
Output Const(const Scope& scope, const std::vector<float>& values, const TensorShape& shape);
// A Const of `shape` and `dtype` with every element `value`, written in
// TensorFlow's compact form (one typed value).
Output ConstFilled(const Scope& scope, const TensorShape& shape, DataType dtype, double value);
Output ConstInt32(const Scope& scope, const std::vector<int32_t>& values,
                  const TensorShape& shape);
Output Identity(const Scope& scope, Output input);
Node* NoOp(const Scope& scope);
// ConcatV2 with an int axis: emits Const "<name>/axis" then ConcatV2 "<name>"
// (default name "concat").
Output Concat(const Scope& scope, const std::vector<Output>& values, int axis);
Output ConcatV2(const Scope& scope, const std::vector<Output>& values, Output axis);
// Split with an int axis: emits Const "<name>/split_dim" then Split "<name>"
// (default name "split").
std::vector<Output> Split(const Scope& scope, int axis, Output value, int num_split);
Output Fill(const Scope& scope, Output dims, Output value);
Output Reshape(const Scope& scope, Output tensor, Output shape);
Output Shape(const Scope& scope, Output input, DataType out_type = DT_INT32);

}  // namespace ops
}  // namespace rill

#endif  // RILL_OPS_ARRAY_OPS_H_

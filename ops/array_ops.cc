#include "ops/array_ops.h"

#include "graph/tensor_proto.h"
#include "ops/op_builder.h"

namespace rill {
namespace ops {
namespace {

Output Out(Node* n, int i = 0) { return n ? Output(n, i) : Output(); }

pb::AttrValue TensorAttr(const Tensor& t) {
  pb::AttrValue v;
  TensorToProto(t, v.mutable_tensor());
  return v;
}

}  // namespace

Output Placeholder(const Scope& scope, DataType dtype, const TensorShape& shape) {
  return Out(BuildNode(scope, "Placeholder", {},
                       {{"dtype", AttrType(dtype)}, {"shape", AttrShape(shape)}}));
}

Output PlaceholderWithDefault(const Scope& scope, Output input, const TensorShape& shape) {
  return Out(BuildNode(scope, "PlaceholderWithDefault", {input},
                       {{"dtype", AttrType(input.valid() ? BaseType(input.dtype()) : DT_FLOAT)},
                        {"shape", AttrShape(shape)}}));
}

Output Const(const Scope& scope, const Tensor& value) {
  return Out(BuildNode(scope, "Const", {},
                       {{"value", TensorAttr(value)}, {"dtype", AttrType(value.dtype())}}));
}

Output Const(const Scope& scope, float value) { return Const(scope, Tensor::Scalar(value)); }

Output Const(const Scope& scope, const std::vector<float>& values, const TensorShape& shape) {
  absl::StatusOr<Tensor> t = Tensor::FromVector<float>(shape, values);
  if (!t.ok()) {
    scope.UpdateStatus(t.status());
    return Output();
  }
  return Const(scope, *t);
}

Output ConstFilled(const Scope& scope, const TensorShape& shape, DataType dtype, double value) {
  pb::AttrValue v;
  pb::TensorProto* t = v.mutable_tensor();
  t->set_dtype(dtype);
  shape.ToProto(t->mutable_tensor_shape());
  switch (dtype) {
    case pb::DT_FLOAT: t->add_float_val(static_cast<float>(value)); break;
    case pb::DT_DOUBLE: t->add_double_val(value); break;
    case pb::DT_INT32: t->add_int_val(static_cast<int32_t>(value)); break;
    case pb::DT_INT64: t->add_int64_val(static_cast<int64_t>(value)); break;
    case pb::DT_BOOL: t->add_bool_val(value != 0); break;
    default:
      scope.UpdateStatus(absl::InvalidArgumentError(
          "ConstFilled: unsupported dtype " + DataTypeString(dtype)));
      return Output();
  }
  return Out(BuildNode(scope, "Const", {}, {{"value", v}, {"dtype", AttrType(dtype)}}));
}

Output ConstInt32(const Scope& scope, const std::vector<int32_t>& values,
                  const TensorShape& shape) {
  absl::StatusOr<Tensor> t = Tensor::FromVector<int32_t>(shape, values);
  if (!t.ok()) {
    scope.UpdateStatus(t.status());
    return Output();
  }
  return Const(scope, *t);
}

Output Identity(const Scope& scope, Output input) {
  return Out(BuildNode(scope, "Identity", {input}));
}

Node* NoOp(const Scope& scope) { return BuildNode(scope, "NoOp", {}); }

Output ConcatV2(const Scope& scope, const std::vector<Output>& values, Output axis) {
  return Out(BuildNode(scope, "ConcatV2", {values, axis}, {}, "concat"));
}

Output Concat(const Scope& scope, const std::vector<Output>& values, int axis) {
  if (!scope.ok()) return Output();
  const std::string name = scope.GetUniqueNameForOp("concat");
  Output axis_t = Const(HelperScope(scope, name).WithOpName("axis"), Tensor::Scalar<int32_t>(axis));
  return Out(BuildNodeNamed(scope, name, "ConcatV2", {values, axis_t}));
}

std::vector<Output> Split(const Scope& scope, int axis, Output value, int num_split) {
  if (!scope.ok()) return {};
  const std::string name = scope.GetUniqueNameForOp("split");
  Output dim = Const(HelperScope(scope, name).WithOpName("split_dim"),
                     Tensor::Scalar<int32_t>(axis));
  Node* n = BuildNodeNamed(scope, name, "Split", {dim, value},
                           {{"num_split", AttrInt(num_split)}});
  if (n == nullptr) return {};
  std::vector<Output> outs;
  for (int i = 0; i < n->num_outputs(); ++i) outs.emplace_back(n, i);
  return outs;
}

Output Fill(const Scope& scope, Output dims, Output value) {
  return Out(BuildNode(scope, "Fill", {dims, value}));
}

Output Reshape(const Scope& scope, Output tensor, Output shape) {
  return Out(BuildNode(scope, "Reshape", {tensor, shape}));
}

Output Shape(const Scope& scope, Output input, DataType out_type) {
  return Out(BuildNode(scope, "Shape", {input}, {{"out_type", AttrType(out_type)}}));
}

}  // namespace ops
}  // namespace rill

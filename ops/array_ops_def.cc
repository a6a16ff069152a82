// Array op definitions: Placeholder, PlaceholderWithDefault, Const, Identity,
// NoOp, ConcatV2, Split, Fill, Reshape, Shape (TF 1.x array_ops.cc).
#include <cstring>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "graph/tensor_proto.h"
#include "ops/op_families.h"
#include "ops/op_registry.h"
#include "ops/shape_fns.h"

namespace rill {
namespace {

absl::StatusOr<std::optional<Tensor>> ConstValue(InferenceContext& c) {
  ASSIGN_OR_RETURN(Tensor t, TensorFromProto(c.attrs().at("value").tensor(),
                                             c.max_tensor_bytes(), c.attrs_consumable()));
  return std::optional<Tensor>(std::move(t));
}

absl::StatusOr<std::optional<Tensor>> ShapeValue(InferenceContext& c) {
  const TensorShape& in = c.input(0);
  if (!in.IsFullyDefined()) return std::optional<Tensor>();
  ASSIGN_OR_RETURN(DataType out_type, GetTypeAttr(c.attrs(), "out_type"));
  ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(out_type, TensorShape({in.rank()})));
  for (int i = 0; i < in.rank(); ++i) {
    if (out_type == DT_INT32) {
      if (in.dim(i) > std::numeric_limits<int32_t>::max()) return std::optional<Tensor>();
      t.data<int32_t>()[i] = static_cast<int32_t>(in.dim(i));
    } else {
      t.data<int64_t>()[i] = in.dim(i);
    }
  }
  return std::optional<Tensor>(std::move(t));
}

// Folds a ConcatV2 of small constant int vectors (the shape vectors built by
// zero_state) so that Fill/Reshape downstream get static shapes.
absl::StatusOr<std::optional<Tensor>> ConcatValue(InferenceContext& c) {
  constexpr int64_t kMaxFoldedElements = 1024;
  const int n = c.num_inputs() - 1;
  const DataType dtype = c.input_type(0);
  if (dtype != DT_INT32 && dtype != DT_INT64) return std::optional<Tensor>();
  const Tensor* axis = c.input_tensor(n);
  if (axis == nullptr) return std::optional<Tensor>();
  int64_t total = 0;
  for (int i = 0; i < n; ++i) {
    const Tensor* t = c.input_tensor(i);
    if (t == nullptr || t->rank() != 1) return std::optional<Tensor>();
    total += t->num_elements();
    if (total > kMaxFoldedElements) return std::optional<Tensor>();
  }
  ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(dtype, TensorShape({total})));
  const size_t elem = DataTypeSize(dtype);
  size_t offset = 0;
  for (int i = 0; i < n; ++i) {
    const Tensor* t = c.input_tensor(i);
    // An empty input has no buffer: memcpy from null is undefined even for 0 bytes.
    if (t->TotalBytes() > 0) std::memcpy(out.raw() + offset, t->raw(), t->TotalBytes());
    offset += t->num_elements() * elem;
  }
  return std::optional<Tensor>(std::move(out));
}

}  // namespace

absl::Status RegisterArrayOps(OpRegistry& r) {
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Placeholder")
                                 .Output("output: dtype")
                                 .Attr("dtype: type")
                                 .AttrWithDefault("shape", "shape",
                                                  AttrShape(TensorShape::Unknown()))
                                 .SetShapeFn(shape_fns::Placeholder)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("PlaceholderWithDefault")
                                 .Input("input: dtype")
                                 .Output("output: dtype")
                                 .Attr("dtype: type")
                                 .Attr("shape: shape")
                                 .SetShapeFn(shape_fns::PlaceholderWithDefault)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Const")
                                 .Output("output: dtype")
                                 .Attr("value: tensor")
                                 .Attr("dtype: type")
                                 .SetShapeFn(shape_fns::Const)
                                 .SetConstFn(ConstValue)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Identity")
                                 .Input("input: T")
                                 .Output("output: T")
                                 .Attr("T: type")
                                 .SetShapeFn(shape_fns::Unchanged)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("NoOp").SetShapeFn(shape_fns::NoOutputs)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("ConcatV2")
                                 .Input("values: N * T")
                                 .Input("axis: Tidx")
                                 .Output("output: T")
                                 .Attr("N: int >= 2")
                                 .Attr("T: type")
                                 .Attr("Tidx: {int32, int64} = DT_INT32")
                                 .SetShapeFn(shape_fns::ConcatV2)
                                 .SetConstFn(ConcatValue)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Split")
                                 .Input("split_dim: int32")
                                 .Input("value: T")
                                 .Output("output: num_split * T")
                                 .Attr("num_split: int >= 1")
                                 .Attr("T: type")
                                 .SetShapeFn(shape_fns::Split)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Fill")
                                 .Input("dims: index_type")
                                 .Input("value: T")
                                 .Output("output: T")
                                 .Attr("T: type")
                                 .Attr("index_type: {int32, int64} = DT_INT32")
                                 .SetShapeFn(shape_fns::Fill)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Reshape")
                                 .Input("tensor: T")
                                 .Input("shape: Tshape")
                                 .Output("output: T")
                                 .Attr("T: type")
                                 .Attr("Tshape: {int32, int64} = DT_INT32")
                                 .SetShapeFn(shape_fns::Reshape)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Shape")
                                 .Input("input: T")
                                 .Output("output: out_type")
                                 .Attr("T: type")
                                 .Attr("out_type: {int32, int64} = DT_INT32")
                                 .SetShapeFn(shape_fns::Shape)
                                 .SetConstFn(ShapeValue)));
  return absl::OkStatus();
}

}  // namespace rill

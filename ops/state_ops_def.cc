// Variable and random op definitions: VariableV2, Assign (state_ops.cc) and
// RandomUniform, RandomStandardNormal, TruncatedNormal (random_ops.cc).
#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"
#include "ops/op_families.h"
#include "ops/op_registry.h"
#include "ops/shape_fns.h"

namespace rill {
namespace {

absl::Status VariableShape(InferenceContext& c) {
  ASSIGN_OR_RETURN(TensorShape shape, GetShapeAttr(c.attrs(), "shape"));
  c.set_output(0, shape);
  return absl::OkStatus();
}

absl::Status AssignShape(InferenceContext& c) {
  ASSIGN_OR_RETURN(bool validate, GetBoolAttr(c.attrs(), "validate_shape"));
  if (!validate) {
    c.set_output(0, c.input(1));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(TensorShape merged, c.input(0).Merge(c.input(1)));
  c.set_output(0, merged);
  return absl::OkStatus();
}

}  // namespace

absl::Status RegisterStateOps(OpRegistry& r) {
  RETURN_IF_ERROR(r.Register(OpDefBuilder("VariableV2")
                                 .Output("ref: Ref(dtype)")
                                 .Attr("shape: shape")
                                 .Attr("dtype: type")
                                 .Attr("container: string = ''")
                                 .Attr("shared_name: string = ''")
                                 .SetIsStateful()
                                 .SetShapeFn(VariableShape)));
  RETURN_IF_ERROR(r.Register(OpDefBuilder("Assign")
                                 .Input("ref: Ref(T)")
                                 .Input("value: T")
                                 .Output("output_ref: Ref(T)")
                                 .Attr("T: type")
                                 .Attr("validate_shape: bool = true")
                                 .Attr("use_locking: bool = true")
                                 .SetAllowsUninitializedInput()
                                 .SetShapeFn(AssignShape)));
  for (const char* op : {"RandomUniform", "RandomStandardNormal", "TruncatedNormal"}) {
    RETURN_IF_ERROR(r.Register(OpDefBuilder(op)
                                   .Input("shape: T")
                                   .Output("output: dtype")
                                   .Attr("seed: int = 0")
                                   .Attr("seed2: int = 0")
                                   .Attr("dtype: {half, bfloat16, float, double}")
                                   .Attr("T: {int32, int64}")
                                   .SetIsStateful()
                                   .SetShapeFn(shape_fns::ShapeFromTensor)));
  }
  return absl::OkStatus();
}

}  // namespace rill

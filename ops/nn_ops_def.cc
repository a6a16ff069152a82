// Neural-network op definitions: BiasAdd, Relu (TF 1.x nn_ops.cc).
#include "graph/status_macros.h"
#include "ops/op_families.h"
#include "ops/op_registry.h"
#include "ops/shape_fns.h"

namespace rill {

absl::Status RegisterNnOps(OpRegistry& r) {
  RETURN_IF_ERROR(r.Register(
      OpDefBuilder("BiasAdd")
          .Input("value: T")
          .Input("bias: T")
          .Output("output: T")
          .Attr("T: {bfloat16, half, float, double, uint8, int8, uint16, int16, int32, "
                "int64, complex64, complex128}")
          .Attr("data_format: {'NHWC', 'NCHW'} = 'NHWC'")
          .SetShapeFn(shape_fns::BiasAdd)));
  RETURN_IF_ERROR(r.Register(
      OpDefBuilder("Relu")
          .Input("features: T")
          .Output("activations: T")
          .Attr("T: {bfloat16, half, float, double, uint8, int8, uint16, int16, int32, "
                "int64}")
          .SetShapeFn(shape_fns::Unchanged)));
  return absl::OkStatus();
}

}  // namespace rill

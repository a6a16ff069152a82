// OpDefBuilder: writes an OpDef in TensorFlow's REGISTER_OP notation.
//
//   OpDefBuilder("MatMul")
//       .Input("a: T").Input("b: T").Output("product: T")
//       .Attr("transpose_a: bool = false").Attr("transpose_b: bool = false")
//       .Attr("T: {float, double, int32, int64}")
//       .SetShapeFn(shape_fns::MatMul)
//       .Finalize();
//
// Arg specs: "name: T" (type attr), "name: float" (fixed), "name: N * T"
// (list), "name: Ref(T)". Attr specs: "name: type", "name: {float, int32}",
// "name: int >= 2", "name: bool = false", "name: {'NHWC', 'NCHW'} = 'NHWC'",
// "name: string = ''", "name: {int32, int64} = DT_INT32". Spec errors are
// reported by Finalize().
#ifndef RILL_OPS_OP_DEF_BUILDER_H_
#define RILL_OPS_OP_DEF_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "graph/op_def.h"

namespace rill {

class OpDefBuilder {
 public:
  explicit OpDefBuilder(std::string op_name);

  OpDefBuilder& Input(const std::string& spec);
  OpDefBuilder& Output(const std::string& spec);
  OpDefBuilder& Attr(const std::string& spec);
  // An attr whose default cannot be written inline (e.g. a shape).
  OpDefBuilder& AttrWithDefault(const std::string& name, const std::string& type,
                                pb::AttrValue default_value);
  OpDefBuilder& SetIsStateful();
  OpDefBuilder& SetAllowsUninitializedInput();
  OpDefBuilder& SetShapeFn(ShapeFn fn);
  OpDefBuilder& SetConstFn(ConstFn fn);

  // The OpDef, or InvalidArgument naming the op and the bad spec.
  absl::StatusOr<OpDef> Finalize() const;

 private:
  OpDef def_;
  std::vector<std::string> errors_;
};

// Parses a dtype name as written in op specs ("float", "int32", "DT_FLOAT").
absl::StatusOr<DataType> ParseDataTypeName(const std::string& name);

}  // namespace rill

#endif  // RILL_OPS_OP_DEF_BUILDER_H_

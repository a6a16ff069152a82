#include "runtime/kernels/kernel_test_util.h"

#include <memory>

#include "graph/graph.h"
#include "runtime/eigen_device.h"
#include "runtime/kernel.h"
#include "runtime/kernel_registry.h"
#include "runtime/kernels/standard_kernels.h"
#include "runtime/output_shapes.h"

namespace rill {
namespace testing {
namespace {

absl::StatusOr<std::vector<Tensor>> RunNodeOn(const Node& node, const KernelFeeds& feeds,
                                              const KernelRunOptions& options,
                                              const EigenDevice& device) {
  std::vector<Tensor> input_values;
  for (const Output& in : node.inputs()) {
    auto fed = feeds.find(in.node);
    if (fed != feeds.end() && in.index == 0) {
      input_values.push_back(fed->second);
    } else {
      ASSIGN_OR_RETURN(std::vector<Tensor> produced, RunNodeOn(*in.node, feeds, options, device));
      input_values.push_back(std::move(produced[in.index]));
    }
  }
  std::vector<const Tensor*> inputs;
  for (const Tensor& t : input_values) inputs.push_back(&t);

  std::vector<TensorShape> shapes;
  RETURN_IF_ERROR(ComputeOutputShapes(node, inputs, kGraphDefProducerVersion, &shapes));
  ASSIGN_OR_RETURN(std::unique_ptr<OpKernel> kernel, GlobalKernelRegistry().CreateKernel(node));
  std::vector<Tensor> outputs(node.num_outputs());
  KernelContext ctx(&node, inputs, &shapes, &outputs, options.max_tensor_bytes, &device.device(),
                    /*variables=*/nullptr);
  RETURN_IF_ERROR(kernel->Compute(ctx));

  for (int i = 0; i < node.num_outputs(); ++i) {
    const Tensor& t = outputs[i];
    if (!t.initialized() || t.dtype() != BaseType(node.output_type(i)) ||
        !shapes[i].IsCompatibleWith(t.shape())) {
      return absl::InternalError(absl::StrCat(
          "Kernel for '", node.name(), "' set output ", i, " to ", t.DebugString(),
          ", expected ", DataTypeString(node.output_type(i)), " ", shapes[i].ToString()));
    }
  }
  return outputs;
}

}  // namespace

absl::StatusOr<std::vector<Tensor>> RunNode(const Node& node, const KernelFeeds& feeds,
                                            const KernelRunOptions& options) {
  const EigenDevice device(options.num_threads);
  return RunNodeOn(node, feeds, options, device);
}

absl::StatusOr<Tensor> RunKernel(const Output& output, const KernelFeeds& feeds,
                                 const KernelRunOptions& options) {
  if (!output.valid()) return absl::InvalidArgumentError("RunKernel: invalid Output");
  ASSIGN_OR_RETURN(std::vector<Tensor> outputs, RunNode(*output.node, feeds, options));
  return outputs[output.index];
}

}  // namespace testing
}  // namespace rill

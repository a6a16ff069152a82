// The CPU kernel API: an OpKernel computes one node's outputs from its inputs
// through a KernelContext.
//
// Kernels are created once per node when a Session plans a graph (read attrs
// in the factory) and then called on every run, possibly from several threads
// at once: Compute must not mutate the kernel. Output shapes are computed by
// the op's shape function (ops/shape_fns.h), never again by the kernel:
// allocate_output(i) allocates output_shape(i). A kernel checks only what the
// shape function cannot know.
#ifndef RILL_RUNTIME_KERNEL_H_
#define RILL_RUNTIME_KERNEL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "graph/node.h"
#include "graph/tensor.h"
#include "runtime/buffer_pool.h"
#include "runtime/input_source.h"

namespace Eigen {
struct ThreadPoolDevice;
}  // namespace Eigen

namespace rill {

class DerivedWeightStore;  // runtime/kernels/derived_weight_store.h

class VariableStorage;

// The bytes a run may take from the allocator (recycled buffers are free).
// Atomic: the steps of a run may execute on several threads.
struct RunBudget {
  int64_t max_bytes = INT64_MAX;
  std::atomic<int64_t> used_bytes{0};
};

class KernelContext {
 public:
  // Pointers are not owned and must outlive the context. `pool` (optional)
  // supplies recycled buffers for outputs; `output_types` (optional)
  // replaces the node's output dtypes for fused steps.
  KernelContext(const Node* node, absl::Span<const Tensor* const> inputs,
                const std::vector<TensorShape>* output_shapes,
                std::vector<Tensor>* outputs, int64_t max_tensor_bytes,
                const Eigen::ThreadPoolDevice* device, VariableStorage* variables,
                BufferPool* pool = nullptr, RunBudget* budget = nullptr,
                absl::Span<const DataType> output_types = {})
      : node_(node),
        inputs_(inputs),
        output_shapes_(output_shapes),
        outputs_(outputs),
        max_tensor_bytes_(max_tensor_bytes),
        device_(device),
        variables_(variables),
        pool_(pool),
        budget_(budget),
        output_types_(output_types) {}

  const Node& node() const { return *node_; }
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  const Tensor& input(int i) const { return *inputs_[i]; }
  int num_outputs() const { return static_cast<int>(outputs_->size()); }
  const TensorShape& output_shape(int i) const { return (*output_shapes_)[i]; }

  // Allocates output i with output_shape(i) and the node's output dtype.
  // ResourceExhausted above the session's per-tensor or per-run cap.
  absl::StatusOr<Tensor*> allocate_output(int i) {
    const DataType dtype =
        output_types_.empty() ? BaseType(node_->output_type(i)) : output_types_[i];
    if (pool_ != nullptr) {
      const int64_t n = output_shape(i).num_elements_or_unknown();  // -1: not fully defined.
      const int64_t elem = DataTypeSize(dtype);
      // Compare counts, not n * elem: that product can wrap around for a
      // hostile shape and match a small recycled buffer.
      if (n > 0 && n <= max_tensor_bytes_ / elem) {
        const size_t bytes = static_cast<size_t>(n * elem);
        if (std::shared_ptr<char> b = pool_->Take(Tensor::AllocationBytes(bytes))) {
          (*outputs_)[i] = Tensor::FromRecycledBuffer(dtype, output_shape(i), n, std::move(b));
          return &(*outputs_)[i];
        }
      }
    }
    absl::StatusOr<Tensor> t = Tensor::Allocate(dtype, output_shape(i), max_tensor_bytes_);
    if (!t.ok()) return t.status();
    if (budget_ != nullptr) {
      const int64_t bytes = static_cast<int64_t>(t->TotalBytes());
      const int64_t used = budget_->used_bytes.fetch_add(bytes, std::memory_order_relaxed) + bytes;
      if (used > budget_->max_bytes) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "Run allocated ", used, " bytes, more than the per-run cap of ",
            budget_->max_bytes, " bytes (at node '", node_->name(), "')"));
      }
    }
    (*outputs_)[i] = std::move(*t);
    return &(*outputs_)[i];
  }
  // Sets output i to an existing tensor (forwarding, no copy). REQUIRES its
  // dtype and shape match the node's output.
  void set_output(int i, Tensor t) { (*outputs_)[i] = std::move(t); }

  // The Eigen device for parallel contractions; never null.
  const Eigen::ThreadPoolDevice& device() const { return *device_; }
  // Session-owned variable values; null when the session has none.
  VariableStorage* variables() const { return variables_; }

 private:
  const Node* node_;
  absl::Span<const Tensor* const> inputs_;
  const std::vector<TensorShape>* output_shapes_;
  std::vector<Tensor>* outputs_;
  int64_t max_tensor_bytes_;
  const Eigen::ThreadPoolDevice* device_;
  VariableStorage* variables_;
  BufferPool* pool_;
  RunBudget* budget_;
  // Set for fused steps, whose outputs are not the node's.
  absl::Span<const DataType> output_types_;
};

class OpKernel {
 public:
  OpKernel() = default;
  OpKernel(const OpKernel&) = delete;
  OpKernel& operator=(const OpKernel&) = delete;
  virtual ~OpKernel() = default;

  // Computes the outputs. Errors: InvalidArgument for bad input values,
  // FailedPrecondition for uninitialized state, ResourceExhausted for caps.
  virtual absl::Status Compute(KernelContext& ctx) const = 0;

  // Called by the plan once, before any run: where each input comes from
  // (runtime/input_source.h), so the kernel may keep what it derives from
  // constant or variable inputs (MatMul pads such weights), sharing it
  // through `store` (may be null) with the other plans of the Session.
  // Default: ignored.
  virtual void SetInputSources(const std::vector<InputSource>& sources,
                               DerivedWeightStore* store) {}

  // Whether Compute does enough work to be worth handing to another
  // inter-op thread. Cheap kernels (Const, Identity, NoOp, Shape, ...) run
  // inline on the thread that made them ready, as in TensorFlow's executor.
  virtual bool IsExpensive() const { return true; }
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNEL_H_

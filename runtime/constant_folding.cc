#include "runtime/constant_folding.h"

#include <utility>

#include "runtime/eigen_device.h"
#include "runtime/output_shapes.h"

namespace rill {
namespace {

class FoldedConstantKernel : public OpKernel {
 public:
  explicit FoldedConstantKernel(std::vector<Tensor> values) : values_(std::move(values)) {}

  absl::Status Compute(KernelContext& ctx) const override {
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, values_[i]);
    return absl::OkStatus();
  }
  bool IsExpensive() const override { return false; }

 private:
  const std::vector<Tensor> values_;
};

// Whether `node` may be folded given which nodes are constant: its own
// properties and its inputs only (values are checked by evaluating it).
// When it may, `*bytes` is the size of its outputs (each at most max_bytes,
// so the sum cannot overflow).
bool Foldable(const Node& node, const std::vector<char>& constant, int64_t max_bytes,
              int64_t* bytes) {
  if (node.op() == "Const" || node.num_inputs() == 0 || node.num_outputs() == 0 ||
      node.op_def().is_stateful || !node.control_inputs().empty()) {
    return false;
  }
  for (const Output& in : node.inputs()) {
    if (!constant[in.node->id()] || IsRefType(in.dtype())) return false;
  }
  *bytes = 0;
  for (int i = 0; i < node.num_outputs(); ++i) {
    const DataType dtype = node.output_type(i);
    if (IsRefType(dtype)) return false;
    const int64_t n = node.output_shape(i).num_elements_or_unknown();
    const int64_t elem = DataTypeSize(BaseType(dtype));
    if (n < 0 || n > max_bytes / elem) return false;
    *bytes += n * elem;
  }
  return true;
}

}  // namespace

std::optional<std::vector<Tensor>> FoldedValueCache::Find(int id) const {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(id);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

void FoldedValueCache::Insert(int id, const std::vector<Tensor>& values) {
  absl::MutexLock lock(&mu_);
  values_.emplace(id, values);  // A value another plan inserted meanwhile stays.
}

FoldedConstants FoldConstants(const Graph& graph, const KernelRegistry& kernels,
                              const std::vector<char>& needed, const std::vector<char>& fed,
                              int64_t max_bytes, int64_t max_total_bytes,
                              FoldedValueCache* shared) {
  if (max_bytes > kMaxFoldedBytes) max_bytes = kMaxFoldedBytes;
  FoldedConstants folded;
  folded.constant.assign(graph.num_nodes(), 0);
  std::unique_ptr<EigenDevice> device;  // Made on the first fold.
  std::vector<const Tensor*> inputs;
  std::vector<Tensor> const_inputs;  // Consts' values that `inputs` read.
  std::vector<TensorShape> shapes;
  int64_t total_bytes = 0;  // Of the values folded so far.
  // Node ids are a topological order.
  for (int id = 0; id < graph.num_nodes(); ++id) {
    const Node& node = *graph.node(id);
    if (!needed[id] || fed[id]) continue;
    if (node.op() == "Const") {
      // A Const with control inputs must keep them running: folding through
      // it would drop its step, and with it those inputs.
      folded.constant[id] = node.has_const_value() && node.control_inputs().empty();
      continue;
    }
    int64_t bytes = 0;
    if (!Foldable(node, folded.constant, max_bytes, &bytes) ||
        bytes > max_total_bytes - total_bytes) {
      continue;
    }
    if (shared != nullptr) {
      if (std::optional<std::vector<Tensor>> known = shared->Find(id)) {
        folded.constant[id] = 1;
        folded.values.emplace(id, *std::move(known));
        total_bytes += bytes;
        continue;
      }
    }
    absl::StatusOr<std::unique_ptr<OpKernel>> kernel = kernels.CreateKernel(node);
    if (!kernel.ok()) continue;
    inputs.clear();
    const_inputs.clear();
    const_inputs.reserve(node.num_inputs());  // `inputs` points into it.
    bool readable = true;
    for (const Output& in : node.inputs()) {
      if (in.node->op() == "Const") {
        // A value the Session released (a fused kernel keeps it in a form
        // of its own) is made for the fold alone and stays released: the
        // weights' "read" Identity is folded in every plan as in the first,
        // and kept only when something else reads it.
        absl::StatusOr<Tensor> value = in.node->ReadConstValue();
        if (!value.ok()) {
          readable = false;
          break;
        }
        const_inputs.push_back(*std::move(value));
        inputs.push_back(&const_inputs.back());
      } else {
        inputs.push_back(&folded.values.at(in.node->id())[in.index]);
      }
    }
    if (!readable) continue;  // Out of memory: leave the node to the runs.
    if (!ComputeOutputShapes(node, inputs, graph.producer_version(), &shapes).ok()) continue;
    if (device == nullptr) device = std::make_unique<EigenDevice>(1);
    std::vector<Tensor> outputs(node.num_outputs());
    KernelContext ctx(&node, inputs, &shapes, &outputs, max_bytes, &device->device(),
                      /*variables=*/nullptr);
    absl::Status computed;
    try {
      computed = (*kernel)->Compute(ctx);
    } catch (...) {  // E.g. out of memory: leave the node to the runs.
      continue;
    }
    if (!computed.ok()) continue;
    bool complete = true;
    for (const Tensor& t : outputs) complete &= t.initialized();
    if (!complete) continue;
    folded.constant[id] = 1;
    folded.values.emplace(id, std::move(outputs));
    total_bytes += bytes;
  }
  return folded;
}

std::unique_ptr<OpKernel> MakeFoldedConstantKernel(std::vector<Tensor> values) {
  return std::make_unique<FoldedConstantKernel>(std::move(values));
}

}  // namespace rill

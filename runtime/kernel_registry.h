// KernelRegistry: CPU kernel factories keyed by (op type, dtype).
//
// The dtype key of a node is its "dtype" attr (the output type of
// Placeholder, Const, RandomUniform...), else its "T" attr, else DT_INVALID. A kernel registered with DT_INVALID serves every dtype of that
// op (Identity, NoOp, Shape...). Registration is explicit — each kernel file
// exports RegisterXKernels(KernelRegistry&) — and GlobalKernelRegistry() fills
// itself on first use (runtime/kernels/standard_kernels.h); no static
// initializers.
#ifndef RILL_RUNTIME_KERNEL_REGISTRY_H_
#define RILL_RUNTIME_KERNEL_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "graph/node.h"
#include "graph/op_def.h"
#include "runtime/kernel.h"

namespace rill {

using KernelFactory = std::function<absl::StatusOr<std::unique_ptr<OpKernel>>(const Node&)>;

class KernelRegistry {
 public:
  // AlreadyExists on a duplicate (op, dtype).
  absl::Status Register(const std::string& op, DataType dtype, KernelFactory factory);
  // Creates the kernel for `node`. Unimplemented naming the op, dtype and
  // node when no kernel is registered.
  absl::StatusOr<std::unique_ptr<OpKernel>> CreateKernel(const Node& node) const;
  bool HasKernel(const std::string& op, DataType dtype) const;
  // InvalidArgument if some kernel names an op `ops` does not define.
  absl::Status Validate(const OpRegistryInterface& ops) const;

  // The dtype a node's kernel is looked up by.
  static DataType KernelDataType(const Node& node);

 private:
  std::map<std::pair<std::string, int>, KernelFactory> factories_;
};

// Registers one kernel class for several dtypes: K<T> must be constructible
// from (const Node&) and may fail only through its factory.
template <template <typename> class K, typename... Ts>
absl::Status RegisterForTypes(KernelRegistry& reg, const std::string& op) {
  absl::Status s;
  (s.Update(reg.Register(op, DataTypeOf<Ts>(), [](const Node& n) -> absl::StatusOr<std::unique_ptr<OpKernel>> {
     return std::unique_ptr<OpKernel>(new K<Ts>(n));
   })),
   ...);
  return s;
}

// A kernel with no per-dtype template, registered for all dtypes.
template <typename K>
absl::Status RegisterAnyType(KernelRegistry& reg, const std::string& op) {
  return reg.Register(op, DT_INVALID, [](const Node& n) -> absl::StatusOr<std::unique_ptr<OpKernel>> {
    return std::unique_ptr<OpKernel>(new K(n));
  });
}

}  // namespace rill

#endif  // RILL_RUNTIME_KERNEL_REGISTRY_H_

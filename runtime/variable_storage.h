// VariableStorage: the values of a Session's variables (VariableV2 nodes),
// keyed by variable node name. Values persist across runs.
//
// Thread-safety: all methods are safe to call concurrently. Write replaces
// the stored tensor, so a reader keeps a consistent snapshot of the old value.
#ifndef RILL_RUNTIME_VARIABLE_STORAGE_H_
#define RILL_RUNTIME_VARIABLE_STORAGE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "graph/tensor.h"

namespace rill {

class VariableStorage {
 public:
  // The current value; FailedPrecondition "Attempting to use uninitialized
  // value <name>" if it was never written.
  absl::StatusOr<Tensor> Read(const std::string& name) const;
  void Write(const std::string& name, Tensor value);
  bool IsInitialized(const std::string& name) const;
  // Names of the initialized variables, sorted.
  std::vector<std::string> Names() const;
  // Replaces all values at once (used by checkpoint restore: all or nothing).
  void WriteAll(std::map<std::string, Tensor> values);

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, Tensor> values_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rill

#endif  // RILL_RUNTIME_VARIABLE_STORAGE_H_

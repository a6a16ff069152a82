// VariableStorage: the values of a Session's variables (VariableV2 nodes),
// keyed by variable node name. Values persist across runs.
//
// A stored buffer is never written in place: every write stores a buffer no
// one else holds (Write copies a tensor its caller still shares), so a
// variable's value changes only by changing buffer. Kernels rely on this to
// keep values derived from a variable (the GRU kernels' packed weights)
// until its buffer changes. Tensors from Read (and fetched variable values)
// share the stored buffer: treat them as read-only, as in TensorFlow, and
// Write a new value instead.
//
// Thread-safety: all methods are safe to call concurrently. Write replaces
// the stored tensor, so a reader keeps a consistent snapshot of the old value.
#ifndef RILL_RUNTIME_VARIABLE_STORAGE_H_
#define RILL_RUNTIME_VARIABLE_STORAGE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "graph/tensor.h"

namespace rill {

class VariableStorage {
 public:
  // The current value; FailedPrecondition "Attempting to use uninitialized
  // value <name>" if it was never written.
  absl::StatusOr<Tensor> Read(const std::string& name) const;
  // Stores `value`, or a copy of it when its buffer is shared (the caller
  // kept a tensor on it): pass it with std::move to avoid the copy, and do
  // not write through pointers into it afterwards.
  // ResourceExhausted (nothing stored) if the copy cannot be allocated.
  absl::Status Write(const std::string& name, Tensor value);
  bool IsInitialized(const std::string& name) const;
  // Names of the initialized variables, sorted.
  std::vector<std::string> Names() const;
  // Replaces all values at once (used by checkpoint restore: all or
  // nothing), copying shared buffers as Write does.
  absl::Status WriteAll(std::map<std::string, Tensor> values);

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, Tensor> values_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rill

#endif  // RILL_RUNTIME_VARIABLE_STORAGE_H_

// ConstantCache: a value a kernel derives once from input tensors that are
// the same on every run (Const weights: a padded copy, packed panels), read
// without a lock on every later run.
//
// The first call derives the value under a mutex and publishes it with a
// release store; later calls cost one acquire load and a buffer/shape
// comparison. Concurrent runs of one plan (Session::Run from several
// threads) therefore do not serialize on the cache, and the hot path does
// no reference counting (callers get a pointer that lives as long as the
// cache, that is, as long as the kernel).
#ifndef RILL_RUNTIME_KERNELS_CONSTANT_CACHE_H_
#define RILL_RUNTIME_KERNELS_CONSTANT_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "graph/status_macros.h"
#include "graph/tensor.h"

namespace rill {

template <typename Value, size_t kSources>
class ConstantCache {
 public:
  using Sources = std::array<const Tensor*, kSources>;

  // The value `derive()` (returning absl::StatusOr<Value>) made from the
  // first sources this cache was given. Those tensors are held, so their
  // buffers cannot be reused by other tensors while the value stands for
  // them. Returns nullptr when `sources` are not those tensors (another
  // buffer or shape: not expected for Const inputs); the caller then derives
  // a value for its call alone. Errors of the first derive() are returned
  // and not remembered. Thread-safe.
  template <typename Derive>
  absl::StatusOr<const Value*> Get(const Sources& sources, Derive derive) const {
    const Entry* entry = ready_.load(std::memory_order_acquire);
    if (entry == nullptr) {
      absl::MutexLock lock(&mu_);
      if (first_ == nullptr) {
        ASSIGN_OR_RETURN(Value value, derive());
        auto made = std::make_unique<Entry>();
        for (size_t i = 0; i < kSources; ++i) made->sources[i] = *sources[i];
        made->value = std::move(value);
        first_ = std::move(made);
        ready_.store(first_.get(), std::memory_order_release);
      }
      entry = first_.get();
    }
    for (size_t i = 0; i < kSources; ++i) {
      if (entry->sources[i].buffer() != sources[i]->buffer() ||
          entry->sources[i].shape() != sources[i]->shape()) {
        return nullptr;
      }
    }
    return &entry->value;
  }

 private:
  struct Entry {
    std::array<Tensor, kSources> sources;
    Value value;
  };
  mutable absl::Mutex mu_;
  // Written once, under mu_; never replaced, so pointers into it stay valid.
  mutable std::unique_ptr<const Entry> first_ ABSL_GUARDED_BY(mu_);
  mutable std::atomic<const Entry*> ready_{nullptr};
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_CONSTANT_CACHE_H_

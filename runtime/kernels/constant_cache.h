// Values a kernel derives from its weight inputs (a padded copy, packed
// panels) and keeps across runs.
//
// ConstantCache: derived once from input tensors that are the same on every
// run (Const weights), read without a lock on every later run.
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
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "graph/status_macros.h"
#include "graph/tensor.h"

namespace rill {

namespace internal {

// Whether `held` are the tensors `sources` (buffer and shape).
template <size_t kSources>
bool SameTensors(const std::array<Tensor, kSources>& held,
                 const std::array<const Tensor*, kSources>& sources) {
  for (size_t i = 0; i < kSources; ++i) {
    if (held[i].buffer() != sources[i]->buffer() || held[i].shape() != sources[i]->shape()) {
      return false;
    }
  }
  return true;
}

// derive()'s value, held by a shared pointer: as it comes when derive()
// returns one (a value shared through a DerivedWeightStore), else wrapped.
template <typename Value, typename Derive>
absl::StatusOr<std::shared_ptr<const Value>> DeriveHeld(Derive& derive) {
  auto made = derive();
  if (!made.ok()) return made.status();
  if constexpr (std::is_same_v<std::decay_t<decltype(*made)>, std::shared_ptr<const Value>>) {
    return *std::move(made);
  } else {
    return std::make_shared<const Value>(*std::move(made));
  }
}

}  // namespace internal

template <typename Value, size_t kSources>
class ConstantCache {
 public:
  using Sources = std::array<const Tensor*, kSources>;

  // The value `derive()` (returning absl::StatusOr<Value>, or of a
  // std::shared_ptr<const Value> shared with other caches) made from the
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
        ASSIGN_OR_RETURN(std::shared_ptr<const Value> value,
                         internal::DeriveHeld<Value>(derive));
        auto made = std::make_unique<Entry>();
        for (size_t i = 0; i < kSources; ++i) made->sources[i] = *sources[i];
        made->value = std::move(value);
        first_ = std::move(made);
        ready_.store(first_.get(), std::memory_order_release);
      }
      entry = first_.get();
    }
    if (!internal::SameTensors(entry->sources, sources)) return nullptr;
    return entry->value.get();
  }

 private:
  struct Entry {
    std::array<Tensor, kSources> sources;
    std::shared_ptr<const Value> value;
  };
  mutable absl::Mutex mu_;
  // Written once, under mu_; never replaced, so pointers into it stay valid.
  mutable std::unique_ptr<const Entry> first_ ABSL_GUARDED_BY(mu_);
  mutable std::atomic<const Entry*> ready_{nullptr};
};

// VariableCache: the same for sources that change now and then: a
// variable's stored value, which stays in one buffer until the variable is
// written, and every write stores a new buffer (VariableStorage's rule).
// A value is derived for sources seen a second time in a row and kept until
// other sources come, so a run after an Assign or a checkpoint restore reads
// weights derived from the new value, and no copy is kept of a variable
// written before every run (whose every value is read once).
//
// Only for such sources: a fed or computed tensor may come back with other
// contents in the same buffer and must not be cached at all.
//
// Each Get takes a mutex (derivation happens under it, so concurrent runs
// derive once) and returns a copy of the value: `Value` must be cheap to
// copy, sharing its buffers, so that a value one run reads stays alive when
// another run replaces it.
template <typename Value, size_t kSources>
class VariableCache {
 public:
  using Sources = std::array<const Tensor*, kSources>;

  // The value for `sources`, or nullopt the first time they are seen (the
  // caller then reads them as they are, or derives a value for its call
  // alone). The second time, `derive()` (as for ConstantCache) makes the
  // value, which later calls with the same sources get. New sources replace
  // the old ones and their value (a caller holding a copy keeps it alive).
  // Errors are returned and not remembered. Thread-safe.
  template <typename Derive>
  absl::StatusOr<std::optional<Value>> Get(const Sources& sources, Derive derive) const {
    absl::MutexLock lock(&mu_);
    if (entry_ == nullptr || !internal::SameTensors(entry_->sources, sources)) {
      entry_.reset();  // The old value's memory goes first.
      auto seen = std::make_unique<Entry>();
      for (size_t i = 0; i < kSources; ++i) seen->sources[i] = *sources[i];
      entry_ = std::move(seen);
      return std::nullopt;
    }
    if (entry_->value == nullptr) {
      ASSIGN_OR_RETURN(entry_->value, internal::DeriveHeld<Value>(derive));
      ++derivations_;
    }
    return *entry_->value;
  }

  // How many times Get derived a value (for tests).
  int64_t derivations() const {
    absl::MutexLock lock(&mu_);
    return derivations_;
  }

 private:
  struct Entry {
    // Held so that their buffers cannot be reused by other tensors while
    // the entry stands for them.
    std::array<Tensor, kSources> sources;
    std::shared_ptr<const Value> value;  // Null until the second use.
  };
  mutable absl::Mutex mu_;
  mutable std::unique_ptr<Entry> entry_ ABSL_GUARDED_BY(mu_);
  mutable int64_t derivations_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace rill

#endif  // RILL_RUNTIME_KERNELS_CONSTANT_CACHE_H_

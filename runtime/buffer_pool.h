// BufferPool: recycles the buffers of a run's intermediate tensors. When a
// tensor's last consumer has run and nothing else holds its buffer, the
// executor gives the buffer back; the next output of the same allocation
// size takes it instead of calling the allocator. An unrolled T=100 GRU thus
// allocates a few buffers per run, not a few per step.
//
// One pool per run. Thread-safe only when constructed with thread_safe (a
// run whose steps execute on several inter-op threads); the sequential
// executor skips the lock.
#ifndef RILL_RUNTIME_BUFFER_POOL_H_
#define RILL_RUNTIME_BUFFER_POOL_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace rill {

class BufferPool {
 public:
  explicit BufferPool(bool thread_safe = false) : thread_safe_(thread_safe) {}

  // A free buffer of exactly `allocation_bytes`, or null.
  std::shared_ptr<char> Take(size_t allocation_bytes) {
    if (thread_safe_) {
      std::lock_guard<std::mutex> lock(mu_);
      return TakeLocked(allocation_bytes);
    }
    return TakeLocked(allocation_bytes);
  }
  // REQUIRES: `buffer` is referenced by nothing else. Never throws: when
  // the pool cannot grow, the buffer is simply freed.
  void Give(std::shared_ptr<char> buffer, size_t allocation_bytes) noexcept {
    if (thread_safe_) {
      std::lock_guard<std::mutex> lock(mu_);
      GiveLocked(std::move(buffer), allocation_bytes);
      return;
    }
    GiveLocked(std::move(buffer), allocation_bytes);
  }

 private:
  std::shared_ptr<char> TakeLocked(size_t allocation_bytes) {
    auto it = free_.find(allocation_bytes);
    if (it == free_.end() || it->second.empty()) return nullptr;
    std::shared_ptr<char> b = std::move(it->second.back());
    it->second.pop_back();
    return b;
  }

  void GiveLocked(std::shared_ptr<char> buffer, size_t allocation_bytes) noexcept {
    try {
      free_[allocation_bytes].push_back(std::move(buffer));
    } catch (...) {  // Out of memory for the list: drop the buffer instead.
    }
  }

  const bool thread_safe_;
  std::mutex mu_;  // Not absl::Mutex: ThreadSanitizer understands std::mutex.
  absl::flat_hash_map<size_t, std::vector<std::shared_ptr<char>>> free_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_BUFFER_POOL_H_

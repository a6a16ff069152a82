// BufferPool: recycles the buffers of a run's intermediate tensors. When a
// tensor's last consumer has run and nothing else holds its buffer, the
// executor gives the buffer back; the next output of the same allocation
// size takes it instead of calling the allocator. An unrolled T=100 GRU thus
// allocates a few buffers per run, not a few per step.
//
// Not thread-safe: one pool per run.
#ifndef RILL_RUNTIME_BUFFER_POOL_H_
#define RILL_RUNTIME_BUFFER_POOL_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace rill {

class BufferPool {
 public:
  // A free buffer of exactly `allocation_bytes`, or null.
  std::shared_ptr<char> Take(size_t allocation_bytes) {
    auto it = free_.find(allocation_bytes);
    if (it == free_.end() || it->second.empty()) return nullptr;
    std::shared_ptr<char> b = std::move(it->second.back());
    it->second.pop_back();
    return b;
  }
  // REQUIRES: `buffer` is referenced by nothing else.
  void Give(std::shared_ptr<char> buffer, size_t allocation_bytes) {
    free_[allocation_bytes].push_back(std::move(buffer));
  }

 private:
  absl::flat_hash_map<size_t, std::vector<std::shared_ptr<char>>> free_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_BUFFER_POOL_H_

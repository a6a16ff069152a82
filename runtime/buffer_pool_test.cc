// BufferPool hands back only buffers of the exact size asked for, most
// recently given first, whatever order sizes are given and taken in (its
// last-size shortcut must not leak a list into another size).
#include "runtime/buffer_pool.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace rill {
namespace {

std::shared_ptr<char> Buffer(size_t bytes) {
  return std::shared_ptr<char>(new char[bytes], std::default_delete<char[]>());
}

TEST(BufferPoolTest, TakesOnlyExactSizes) {
  BufferPool pool;
  EXPECT_EQ(pool.Take(64), nullptr);  // Empty: nothing of any size.
  std::shared_ptr<char> a = Buffer(64), b = Buffer(128), c = Buffer(64);
  char* const pa = a.get();
  char* const pb = b.get();
  char* const pc = c.get();
  pool.Give(std::move(a), 64);
  pool.Give(std::move(b), 128);
  EXPECT_EQ(pool.Take(256), nullptr);
  EXPECT_EQ(pool.Take(64).get(), pa);
  EXPECT_EQ(pool.Take(64), nullptr);  // The 64-byte list is empty again.
  pool.Give(std::move(c), 64);
  EXPECT_EQ(pool.Take(128).get(), pb);
  EXPECT_EQ(pool.Take(128), nullptr);
  EXPECT_EQ(pool.Take(64).get(), pc);
  EXPECT_EQ(pool.Take(64), nullptr);
}

TEST(BufferPoolTest, ManySizesKeepTheirBuffers) {
  // Enough sizes to rehash the map several times while lists are in use.
  BufferPool pool(/*thread_safe=*/true);
  std::vector<char*> given;
  for (size_t size = 1; size <= 300; ++size) {
    std::shared_ptr<char> b = Buffer(size);
    given.push_back(b.get());
    pool.Give(std::move(b), size);
  }
  for (size_t size = 300; size >= 1; --size) {
    EXPECT_EQ(pool.Take(size).get(), given[size - 1]) << size;
  }
  for (size_t size = 1; size <= 300; ++size) EXPECT_EQ(pool.Take(size), nullptr) << size;
}

}  // namespace
}  // namespace rill

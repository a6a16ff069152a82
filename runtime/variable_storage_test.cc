// VariableStorage: a stored buffer is never shared with a caller's tensor, so
// a variable's value changes only by changing buffer (what the GRU kernels'
// kept weights rely on).
#include "runtime/variable_storage.h"

#include <map>
#include <string>
#include <utility>

#include "graph/test_util.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

Tensor Vector(std::initializer_list<float> values) {
  return *Tensor::FromVector<float>(TensorShape({static_cast<int64_t>(values.size())}),
                                    std::vector<float>(values));
}

TEST(VariableStorageTest, ATensorTheCallerKeepsIsCopied) {
  VariableStorage storage;
  Tensor kept = Vector({1, 2, 3});
  RILL_ASSERT_OK(storage.Write("v", kept));
  Tensor read = *storage.Read("v");
  EXPECT_FALSE(read.SharesBufferWith(kept));
  EXPECT_TRUE(read.Equals(kept));
  // Changing the kept tensor does not change the variable.
  kept.data<float>()[0] = 9;
  EXPECT_EQ(storage.Read("v")->data<float>()[0], 1);
  // Writing what was read (it shares the stored buffer) stores a copy too.
  RILL_ASSERT_OK(storage.Write("v", read));
  EXPECT_FALSE(storage.Read("v")->SharesBufferWith(read));
}

TEST(VariableStorageTest, AMovedTensorIsStoredWithoutACopy) {
  VariableStorage storage;
  Tensor value = Vector({4, 5});
  const char* bytes = value.raw();
  RILL_ASSERT_OK(storage.Write("v", std::move(value)));
  EXPECT_EQ(storage.Read("v")->raw(), bytes);
  std::map<std::string, Tensor> values;
  values["a"] = Vector({1});
  values["b"] = Vector({2});
  const char* a_bytes = values["a"].raw();
  const Tensor b_kept = values["b"];
  RILL_ASSERT_OK(storage.WriteAll(std::move(values)));
  EXPECT_EQ(storage.Read("a")->raw(), a_bytes);
  EXPECT_FALSE(storage.Read("b")->SharesBufferWith(b_kept));
  EXPECT_EQ(storage.Names(), (std::vector<std::string>{"a", "b", "v"}));
}

TEST(VariableStorageTest, ReadingAnUnwrittenVariableFails) {
  VariableStorage storage;
  EXPECT_TRUE(HasError(storage.Read("w").status(), absl::StatusCode::kFailedPrecondition,
                       "Attempting to use uninitialized value w"));
  EXPECT_FALSE(storage.IsInitialized("w"));
}

}  // namespace
}  // namespace rill

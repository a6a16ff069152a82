#include "runtime/runner_commands.h"

#include <cstdlib>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/npy.h"

namespace rill {
namespace {

using ::testing::HasSubstr;

std::string TestData(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", ws ? ws : "rill", "/tests/testdata/", name);
}

std::string TmpDir() { return std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp"; }

TEST(RunCommandTest, PrintsAndSavesOutputs) {
  RunCommandOptions options;
  options.graph = TestData("add.pbtxt");
  options.inputs = {{"x", TestData("add_x.npy")}, {"y:0", TestData("add_y.npy")}};
  options.outputs = {"z", "x:0"};
  options.output_dir = TmpDir() + "/run_command_test/out";
  std::ostringstream out;
  ASSERT_TRUE(RunCommand(options, out).ok());
  EXPECT_EQ(out.str(),
            "z:0\n  dtype: float\n  shape: [2,3]\n  values: [11, 22, 33, 14, 25, 36]\n"
            "x:0\n  dtype: float\n  shape: [2,3]\n  values: [1, 2, 3, 4, 5, 6]\n");
  absl::StatusOr<Tensor> z = ReadNpyFile(options.output_dir + "/z_0.npy");
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ(z->DebugString(), "float [2,3] {11, 22, 33, 14, 25, 36}");
  EXPECT_TRUE(ReadNpyFile(options.output_dir + "/x_0.npy").ok());
}

TEST(RunCommandTest, ErrorsNameTheInput) {
  RunCommandOptions options;
  options.graph = TestData("add.pbtxt");
  options.inputs = {{"x", TestData("np_f32_fortran.npy")}, {"y", TestData("add_y.npy")}};
  options.outputs = {"z"};
  std::ostringstream out;
  absl::Status s = RunCommand(options, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("input 'x': "));
  EXPECT_THAT(std::string(s.message()), HasSubstr("fortran_order=True"));
  EXPECT_EQ(out.str(), "");

  options.inputs = {{"y", TestData("add_y.npy")}};
  s = RunCommand(options, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("You must feed a value for placeholder tensor"));
}

TEST(InspectCommandTest, SummarizesRunnableAndUnrunnableGraphs) {
  std::ostringstream out;
  ASSERT_TRUE(InspectCommand({TestData("matmul.pbtxt"), TmpDir() + "/m.dot"}, out).ok());
  EXPECT_THAT(out.str(), HasSubstr("Op types used: 2 Const, 1 AddV2, 1 MatMul, 1 Placeholder\n"));
  EXPECT_THAT(out.str(), HasSubstr("Runnable by rill: yes\n"));
  absl::StatusOr<Tensor> not_npy = ReadNpyFile(TmpDir() + "/m.dot");
  EXPECT_THAT(std::string(not_npy.status().message()), HasSubstr("bad magic"));

  std::ostringstream out2;
  ASSERT_TRUE(InspectCommand({TestData("unknown_op.pbtxt"), ""}, out2).ok());
  EXPECT_THAT(out2.str(), HasSubstr("Runnable by rill: no (NOT_FOUND: "));
  EXPECT_THAT(out2.str(), HasSubstr("FancyNewOp"));

  EXPECT_EQ(InspectCommand({TestData("missing.pbtxt"), ""}, out2).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace rill

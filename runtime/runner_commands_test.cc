#include "runtime/runner_commands.h"

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "graph/file_io.h"
#include "gtest/gtest.h"
#include "runtime/checkpoint.h"
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

TEST(RunCommandTest, RestoresTheCheckpointFirst) {
  RunCommandOptions options;
  options.graph = TestData("add.pbtxt");
  options.inputs = {{"x", TestData("add_x.npy")}, {"y", TestData("add_y.npy")}};
  options.outputs = {"z"};
  // add.pbtxt has no variables: an empty checkpoint restores nothing.
  options.checkpoint = TmpDir() + "/empty.ckpt";
  ASSERT_TRUE(WriteFileAtomically(options.checkpoint, *EncodeCheckpoint({})).ok());
  std::ostringstream out;
  ASSERT_TRUE(RunCommand(options, out).ok());
  EXPECT_THAT(out.str(), HasSubstr("values: [11, 22, 33, 14, 25, 36]"));

  options.checkpoint = TmpDir() + "/foreign.ckpt";
  ASSERT_TRUE(
      WriteFileAtomically(options.checkpoint, *EncodeCheckpoint({{"w", Tensor::Scalar(1.0f)}}))
          .ok());
  std::ostringstream out2;
  absl::Status s = RunCommand(options, out2);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("has tensor 'w', which is not a variable"));
  options.checkpoint = TestData("add.pbtxt");
  s = RunCommand(options, out2);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("add.pbtxt' is not a rill checkpoint"));
  EXPECT_EQ(out2.str(), "");
}

BenchCommandOptions AddBench() {
  BenchCommandOptions options;
  options.graph = TestData("add.pbtxt");
  options.input_shapes = {{"x", TensorShape({2, 3})}};
  options.warmup = 0;
  options.runs = 3;
  return options;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(BenchCommandTest, PrintsFeedsFetchesAndLatencies) {
  std::ostringstream out;
  absl::Status s = BenchCommand(AddBench(), out);
  ASSERT_TRUE(s.ok()) << s;
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 13u) << out.str();
  EXPECT_THAT(lines[0], HasSubstr("add.pbtxt (3 nodes), threads: 1"));
  EXPECT_EQ(lines[1], "feed x:0: float [2,3] random");
  EXPECT_EQ(lines[2], "feed y:0: float [3] random");
  EXPECT_EQ(lines[3], "fetch: z:0");
  EXPECT_EQ(lines[4], "warmup runs: 0");
  EXPECT_THAT(lines[5], HasSubstr("timed runs: 3 (total "));
  for (int i = 6; i < 12; ++i) EXPECT_THAT(lines[i], ::testing::MatchesRegex("[a-z0-9/]+: .*"));
  EXPECT_THAT(lines[12], ::testing::MatchesRegex("median_ms=[0-9]+\\.[0-9]{4}"));
}

TEST(BenchCommandTest, FeedsOnlyWhatTheFetchesNeed) {
  BenchCommandOptions options = AddBench();
  options.outputs = {"x:0"};
  options.min_time_s = 0.001;
  std::ostringstream out;
  ASSERT_TRUE(BenchCommand(options, out).ok());
  EXPECT_THAT(out.str(), HasSubstr("fetch: x:0\n"));
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr("feed y")));
}

TEST(BenchCommandTest, ShowOpsPrintsAPerOpTypeTable) {
  std::ostringstream out;
  BenchCommandOptions options = AddBench();
  options.show_ops = true;
  options.runs = 3;
  absl::Status s = BenchCommand(options, out);
  ASSERT_TRUE(s.ok()) << s;
  // add.pbtxt runs one AddV2 per run (the placeholders are fed).
  EXPECT_THAT(out.str(), HasSubstr("op (per run)"));
  EXPECT_THAT(out.str(), ::testing::ContainsRegex("AddV2 +1 +[0-9.]+ +100.0%"));
}

TEST(BenchCommandTest, ReportsUsageAndRunErrors) {
  std::ostringstream out;
  BenchCommandOptions options = AddBench();
  options.input_shapes.clear();
  absl::Status s = BenchCommand(options, out);
  EXPECT_TRUE(IsUsageError(s)) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("placeholder 'x' has shape [?,3]; give --input_shape=x=D0,D1,..."));

  options = AddBench();
  options.input_shapes = {{"q", TensorShape({1})}};
  EXPECT_EQ(BenchCommand(options, out).code(), absl::StatusCode::kNotFound);

  options = AddBench();
  options.input_shapes = {{"x", TensorShape({2, 4})}};
  s = BenchCommand(options, out);
  EXPECT_FALSE(IsUsageError(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("Cannot feed value of shape"));
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace rill

#include "runtime/runner_lib.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rill {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

const std::set<std::string> kKnown = {"graph", "input", "output", "threads"};

absl::StatusOr<SplitArgs> Split(std::vector<const char*> args) {
  args.insert(args.begin(), "runner");
  return SplitCommandLine(static_cast<int>(args.size()), args.data(), kKnown);
}

TEST(SplitCommandLineTest, SplitsCommandAndFlagsInAnyOrder) {
  absl::StatusOr<SplitArgs> a =
      Split({"--graph=g.pb", "run", "-input=x=a.npy", "--input", "y=b.npy", "--output", "z"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->command, "run");
  EXPECT_FALSE(a->help);
  EXPECT_THAT(a->flags, ElementsAre(Pair("graph", "g.pb"), Pair("input", "x=a.npy"),
                                    Pair("input", "y=b.npy"), Pair("output", "z")));
  absl::StatusOr<SplitArgs> empty_value = Split({"run", "--output="});
  ASSERT_TRUE(empty_value.ok());
  EXPECT_THAT(empty_value->flags, ElementsAre(Pair("output", "")));
}

TEST(SplitCommandLineTest, HelpWinsOverEverything) {
  for (const char* h : {"--help", "-help", "--helpfull", "-h"}) {
    absl::StatusOr<SplitArgs> a = Split({"run", "--bogus", h});
    ASSERT_TRUE(a.ok()) << h;
    EXPECT_TRUE(a->help) << h;
  }
}

TEST(SplitCommandLineTest, RejectsUnknownFlagsMissingValuesAndExtraArgs) {
  EXPECT_EQ(Split({"run", "--foo=1"}).status().message(), "unknown flag --foo");
  EXPECT_EQ(Split({"run", "--foo"}).status().message(), "unknown flag --foo");
  EXPECT_EQ(Split({"run", "--flagfile=x"}).status().message(), "unknown flag --flagfile");
  EXPECT_EQ(Split({"run", "--=x"}).status().message(), "unknown flag --");
  EXPECT_EQ(Split({"run", "--graph"}).status().message(), "flag --graph is missing its value");
  EXPECT_EQ(Split({"run", "extra"}).status().message(), "unexpected argument 'extra'");
  absl::StatusOr<SplitArgs> none = Split({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->command, "");
}

TEST(ParseInputSpecsTest, AcceptsRepeatedAndCommaSeparatedSpecs) {
  absl::StatusOr<std::vector<InputSpec>> s =
      ParseInputSpecs({"x=a.npy,y:1=dir/b=c.npy", "scope/z=/abs/z.npy"});
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].name, "x");
  EXPECT_EQ((*s)[0].path, "a.npy");
  EXPECT_EQ((*s)[1].name, "y:1");
  EXPECT_EQ((*s)[1].path, "dir/b=c.npy");
  EXPECT_EQ((*s)[2].name, "scope/z");
  EXPECT_TRUE(ParseInputSpecs({}).ok());
}

TEST(ParseInputSpecsTest, RejectsMalformedAndDuplicateSpecs) {
  for (const char* bad : {"x", "=a.npy", "x=", "x=a.npy,", "x=a.npy,,y=b.npy", ""}) {
    absl::StatusOr<std::vector<InputSpec>> s = ParseInputSpecs({bad});
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.status().message()), HasSubstr("malformed --input"));
  }
  absl::StatusOr<std::vector<InputSpec>> dup = ParseInputSpecs({"x=a.npy", "x:0=b.npy"});
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(std::string(dup.status().message()), HasSubstr("feeds tensor 'x:0' twice"));
}

TEST(ParseOutputListTest, SplitsOnCommas) {
  EXPECT_THAT(*ParseOutputList("z"), ElementsAre("z"));
  EXPECT_THAT(*ParseOutputList("a:1,b/c"), ElementsAre("a:1", "b/c"));
  EXPECT_FALSE(ParseOutputList("").ok());
  EXPECT_FALSE(ParseOutputList("a,").ok());
  EXPECT_FALSE(ParseOutputList(",a").ok());
}

TEST(OutputNamesTest, NormalizesAndSanitizes) {
  EXPECT_EQ(NormalizeTensorName("z"), "z:0");
  EXPECT_EQ(NormalizeTensorName("z:0"), "z:0");
  EXPECT_EQ(NormalizeTensorName("z:12"), "z:12");
  EXPECT_EQ(NormalizeTensorName("z:"), "z::0");
  EXPECT_EQ(NormalizeTensorName("z:x"), "z:x:0");
  EXPECT_EQ(OutputFileName("rnn/gru_cell/add:0"), "rnn_gru_cell_add_0.npy");
  EXPECT_EQ(OutputFileName("rnn/gru_cell/add"), "rnn_gru_cell_add_0.npy");
  EXPECT_EQ(OutputFileName("split:1"), "split_1.npy");
  EXPECT_EQ(OutputFileName("a.b-c d\xc3\xa9"), "a.b-c_d___0.npy");
  EXPECT_EQ(OutputFileName("../../etc/passwd"), ".._.._etc_passwd_0.npy");
}

TEST(OutputNamesTest, DetectsFileNameCollisions) {
  EXPECT_TRUE(CheckOutputFileNames({"a/b", "a_b:1", "a/b:0"}).ok());
  absl::Status s = CheckOutputFileNames({"a/b", "a_b:0"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("a_b_0.npy"));
}

TEST(FormatValuesTest, ShowsAllValuesUpToTwenty) {
  EXPECT_EQ(FormatValues(*Tensor::FromVector<float>({2, 2}, {1.f, 2.5f, -0.1f, 1e30f})),
            "[1, 2.5, -0.1, 1e+30]");
  EXPECT_EQ(FormatValues(Tensor::Scalar(0.1)), "[0.1]");
  EXPECT_EQ(FormatValues(*Tensor::FromVector<int64_t>({0}, {})), "[]");
  EXPECT_EQ(FormatValues(*Tensor::FromVector<bool>({2}, {true, false})), "[true, false]");
  EXPECT_EQ(FormatValues(*Tensor::FromVector<int32_t>({2}, {-7, 2147483647})), "[-7, 2147483647]");
  std::vector<int32_t> twenty(20, 3);
  EXPECT_EQ(FormatValues(*Tensor::FromVector<int32_t>({20}, twenty)).find("..."),
            std::string::npos);
}

TEST(FormatValuesTest, AbbreviatesLongTensors) {
  std::vector<int64_t> v(100);
  for (int i = 0; i < 100; ++i) v[i] = i;
  EXPECT_EQ(FormatValues(*Tensor::FromVector<int64_t>({10, 10}, v)),
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ..., 97, 98, 99] (100 values)");
}

TEST(FormatOutputBlockTest, PrintsNameDtypeShapeAndValues) {
  EXPECT_EQ(FormatOutputBlock("z:0", *Tensor::FromVector<float>({1, 2}, {11.f, 22.f})),
            "z:0\n  dtype: float\n  shape: [1,2]\n  values: [11, 22]\n");
}

TEST(OneLineTest, FlattensNewlines) {
  EXPECT_EQ(OneLine("a\nb"), "a; b");
  EXPECT_EQ(OneLine("  first line  \r\n\n   second\n"), "first line; second");
  EXPECT_EQ(OneLine("plain"), "plain");
  EXPECT_EQ(OneLine(""), "");
}

TEST(CreateDirectoriesTest, CreatesNestedFoldersAndRejectsFiles) {
  const std::string root = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  const std::string dir = root + "/runner_lib_test/a/b";
  ASSERT_TRUE(CreateDirectories(dir).ok());
  EXPECT_TRUE(CreateDirectories(dir).ok());
  const std::string file = root + "/runner_lib_test/file";
  std::ofstream(file) << "x";
  EXPECT_EQ(CreateDirectories(file).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(CreateDirectories(file + "/sub").ok());
}

TEST(SplitCommandLineTest, BooleanFlagsTakeNoSeparateValue) {
  std::vector<const char*> args = {"runner",  "bench", "--show_ops",
                                   "--graph", "g.pb",  "--show_ops=false"};
  absl::StatusOr<SplitArgs> a = SplitCommandLine(static_cast<int>(args.size()), args.data(),
                                                 {"graph", "show_ops"}, {"show_ops"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->flags, ElementsAre(Pair("show_ops", "true"), Pair("graph", "g.pb"),
                                    Pair("show_ops", "false")));
  // A boolean flag does not swallow the next argument.
  args = {"runner", "--show_ops", "bench"};
  a = SplitCommandLine(static_cast<int>(args.size()), args.data(), {"show_ops"}, {"show_ops"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->command, "bench");
}

TEST(UsageErrorTest, IsMarkedAndDistinctFromPlainErrors) {
  absl::Status u = UsageError("bad flag");
  EXPECT_EQ(u.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(u.message(), "bad flag");
  EXPECT_TRUE(IsUsageError(u));
  EXPECT_FALSE(IsUsageError(absl::InvalidArgumentError("bad flag")));
  EXPECT_FALSE(IsUsageError(absl::OkStatus()));
}

TEST(ParseInputShapeSpecsTest, SplitsOnColonsAfterDims) {
  absl::StatusOr<std::vector<InputShapeSpec>> s =
      ParseInputShapeSpecs({"x=1,128:h:1=1,64", "scope/s=", "z=0"});
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[0].name, "x");
  EXPECT_EQ((*s)[0].shape, TensorShape({1, 128}));
  EXPECT_EQ((*s)[1].name, "h:1");
  EXPECT_EQ((*s)[1].shape, TensorShape({1, 64}));
  EXPECT_EQ((*s)[2].name, "scope/s");
  EXPECT_EQ((*s)[2].shape, TensorShape());
  EXPECT_EQ((*s)[3].shape, TensorShape({0}));
  EXPECT_TRUE(ParseInputShapeSpecs({}).ok());
}

TEST(ParseInputShapeSpecsTest, RejectsMalformedAndDuplicateSpecs) {
  for (const char* bad : {"x", "=1,2", "x=1,a", "x=-1", "x=1,,2", "x=1,", "x=1:", "x=1:y", "x=1.5",
                          "x=99999999999999999999", ""}) {
    absl::StatusOr<std::vector<InputShapeSpec>> s = ParseInputShapeSpecs({bad});
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.status().message()), HasSubstr("malformed --input_shape")) << bad;
  }
  absl::StatusOr<std::vector<InputShapeSpec>> dup = ParseInputShapeSpecs({"x=1", "x:0=2"});
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(std::string(dup.status().message()), HasSubstr("gives tensor 'x:0' twice"));
}

TEST(RandomTensorTest, FillsEachDtypeInRangeDeterministically) {
  std::mt19937 rng(1);
  absl::StatusOr<Tensor> f = RandomTensor(DT_FLOAT, TensorShape({50, 4}), &rng);
  ASSERT_TRUE(f.ok()) << f.status();
  bool any_negative = false;
  for (float v : f->flat<float>()) {
    EXPECT_GE(v, -1.0f);
    EXPECT_LT(v, 1.0f);
    any_negative |= v < 0;
  }
  EXPECT_TRUE(any_negative);
  std::mt19937 same(1);
  EXPECT_TRUE(RandomTensor(DT_FLOAT, TensorShape({50, 4}), &same)->Equals(*f));
  const Tensor i32 = *RandomTensor(DT_INT32, TensorShape({100}), &rng);
  for (int32_t v : i32.flat<int32_t>()) {
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 10);
  }
  const Tensor i64 = *RandomTensor(DT_INT64, TensorShape({100}), &rng);
  for (int64_t v : i64.flat<int64_t>()) {
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 10);
  }
  absl::StatusOr<Tensor> d = RandomTensor(DT_DOUBLE, TensorShape(), &rng);
  ASSERT_TRUE(d.ok());
  EXPECT_LT(std::abs(*d->data<double>()), 1.0);
  int trues = 0;
  const Tensor bools = *RandomTensor(DT_BOOL, TensorShape({100}), &rng);
  for (bool v : bools.flat<bool>()) trues += v;
  EXPECT_GT(trues, 20);
  EXPECT_LT(trues, 80);
  EXPECT_EQ(RandomTensor(DT_FLOAT, TensorShape({1 << 20}), &rng, 1024).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(RandomTensor(pb::DT_STRING, TensorShape({1}), &rng).ok());
}

TEST(LatencyStatsTest, ComputesOrderStatistics) {
  LatencyStats s = ComputeLatencyStats({5, 1, 4, 2, 3, 10, 9, 8, 7, 6});
  EXPECT_EQ(s.runs, 10);
  EXPECT_DOUBLE_EQ(s.min_ms, 1);
  EXPECT_DOUBLE_EQ(s.median_ms, 5.5);
  EXPECT_DOUBLE_EQ(s.p90_ms, 9);
  EXPECT_DOUBLE_EQ(s.max_ms, 10);
  EXPECT_DOUBLE_EQ(s.mean_ms, 5.5);
  EXPECT_DOUBLE_EQ(s.total_ms, 55);
  EXPECT_DOUBLE_EQ(s.runs_per_second, 10 * 1000.0 / 55);
  LatencyStats one = ComputeLatencyStats({2.5});
  EXPECT_DOUBLE_EQ(one.median_ms, 2.5);
  EXPECT_DOUBLE_EQ(one.p90_ms, 2.5);
  LatencyStats three = ComputeLatencyStats({3, 1, 2});
  EXPECT_DOUBLE_EQ(three.median_ms, 2);
  EXPECT_DOUBLE_EQ(three.p90_ms, 3);
  EXPECT_DOUBLE_EQ(ComputeLatencyStats({0, 0}).runs_per_second, 0);
}

TEST(LatencyStatsTest, FormatsReportEndingWithMedianLine) {
  const std::string report = FormatLatencyStats(ComputeLatencyStats({0.25, 0.5, 1.0, 0.125}));
  EXPECT_EQ(report,
            "timed runs: 4 (total 1.8750 ms)\n"
            "min: 0.1250 ms\n"
            "median: 0.3750 ms\n"
            "p90: 1.0000 ms\n"
            "max: 1.0000 ms\n"
            "mean: 0.4688 ms\n"
            "runs/s: 2133.3\n"
            "median_ms=0.3750\n");
}

}  // namespace
}  // namespace rill

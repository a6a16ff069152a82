// Graph walks are recursion-free: a 1,000,000-node chain of Identity nodes
// on a scalar parses, imports (validation, ordering, shape inference), runs,
// exports and summarizes without exhausting the stack, and so does a long
// chain of control dependencies. The test prints how long each phase took.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "graph/attr_value.h"
#include "graph/graph_def.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "runtime/graph_summary.h"
#include "runtime/session.h"

namespace rill {
namespace {

// x (float scalar Placeholder) -> id/1 -> id/2 -> ... -> id/<n>, each an
// Identity of the previous one. Written in reverse order when `reversed`, so
// the importer has to sort it (TensorFlow writes nodes in any order).
pb::GraphDef IdentityChain(int n, bool reversed) {
  pb::GraphDef def;
  def.mutable_node()->Reserve(n + 1);
  auto add_x = [&] {
    pb::NodeDef* x = def.add_node();
    x->set_name("x");
    x->set_op("Placeholder");
    (*x->mutable_attr())["dtype"] = AttrType(DT_FLOAT);
    (*x->mutable_attr())["shape"] = AttrShape(TensorShape());
  };
  if (!reversed) add_x();
  const pb::AttrValue t = AttrType(DT_FLOAT);
  for (int k = 0; k < n; ++k) {
    const int i = reversed ? n - k : k + 1;
    pb::NodeDef* node = def.add_node();
    node->set_name(absl::StrCat("id/", i));
    node->set_op("Identity");
    node->add_input(i == 1 ? std::string("x") : absl::StrCat("id/", i - 1));
    (*node->mutable_attr())["T"] = t;
  }
  if (reversed) add_x();
  def.mutable_versions()->set_producer(kGraphDefProducerVersion);
  return def;
}

class Stopwatch {
 public:
  // Prints the seconds since the last call, labelled.
  void Lap(const char* what) {
    const absl::Time now = absl::Now();
    std::printf("  %-28s %6.2f s\n", what, absl::ToDoubleSeconds(now - last_));
    std::fflush(stdout);
    last_ = now;
  }

 private:
  absl::Time last_ = absl::Now();
};

TEST(DeepGraphTest, MillionNodeIdentityChainImportsAndRuns) {
  constexpr int kNodes = 1000000;
  std::printf("1,000,000-node Identity chain:\n");
  Stopwatch watch;
  const absl::Time start = absl::Now();
  std::string bytes;
  {
    const pb::GraphDef built = IdentityChain(kNodes, /*reversed=*/true);
    watch.Lap("build GraphDef");
    ASSERT_TRUE(built.SerializeToString(&bytes));
  }
  watch.Lap("serialize");
  absl::StatusOr<pb::GraphDef> def = ParseGraphDef(bytes, /*text=*/false);
  RILL_ASSERT_OK(def);
  bytes.clear();
  watch.Lap("parse (binary)");

  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(*def);
  RILL_ASSERT_OK(session);
  watch.Lap("import (sort, validate)");
  const Graph& graph = (*session)->graph();
  ASSERT_EQ(graph.num_nodes(), kNodes + 1);
  EXPECT_EQ(graph.node(0)->name(), "x");  // Sorted: the producer comes first.

  const std::string last = absl::StrCat("id/", kNodes);
  auto out = (*session)->Run({{"x", Tensor::Scalar(2.5f)}}, {last});
  RILL_ASSERT_OK(out);
  EXPECT_EQ((*out)[0].shape(), TensorShape());
  EXPECT_EQ((*out)[0].data<float>()[0], 2.5f);
  watch.Lap("first run (plan + run)");
  out = (*session)->Run({{"x", Tensor::Scalar(-1.0f)}}, {last});
  RILL_ASSERT_OK(out);
  EXPECT_EQ((*out)[0].data<float>()[0], -1.0f);
  watch.Lap("second run (cached plan)");
  // Feeding the middle of the chain cuts everything before it.
  out = (*session)->Run({{"id/500000", Tensor::Scalar(7.0f)}}, {last});
  RILL_ASSERT_OK(out);
  EXPECT_EQ((*out)[0].data<float>()[0], 7.0f);
  watch.Lap("run fed mid-chain");

  pb::GraphDef exported;
  ToGraphDef(graph, &exported);
  EXPECT_EQ(exported.node_size(), kNodes + 1);
  watch.Lap("export");
  const GraphSummary summary = SummarizeGraphDef(exported);
  EXPECT_EQ(summary.num_nodes, kNodes + 1);
  ASSERT_EQ(summary.outputs.size(), 1u);
  EXPECT_EQ(summary.outputs[0].first, last);
  watch.Lap("summarize (runner inspect)");
  session->reset();
  def->Clear();
  watch.Lap("destroy");
  std::printf("  %-28s %6.2f s\n", "total", absl::ToDoubleSeconds(absl::Now() - start));
}

TEST(DeepGraphTest, LongControlDependencyChainRuns) {
  // noop/1 <- ^noop/2 <- ... : running the last target runs all of them.
  constexpr int kNodes = 200000;
  pb::GraphDef def;
  for (int i = 1; i <= kNodes; ++i) {
    pb::NodeDef* node = def.add_node();
    node->set_name(absl::StrCat("noop/", i));
    node->set_op("NoOp");
    if (i > 1) node->add_input(absl::StrCat("^noop/", i - 1));
  }
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(def);
  RILL_ASSERT_OK(session);
  RILL_EXPECT_OK((*session)->Run({}, {}, {absl::StrCat("noop/", kNodes)}));
}

TEST(DeepGraphTest, CycleInALongChainIsReportedNotRecursedInto) {
  pb::GraphDef def = IdentityChain(100000, /*reversed=*/false);
  // Close the loop: id/1 now reads id/100000.
  def.mutable_node(1)->set_input(0, "id/100000");
  EXPECT_TRUE(::rill::testing::HasError(Session::Create(def), absl::StatusCode::kInvalidArgument,
                                        "GraphDef contains a cycle"));
}

}  // namespace
}  // namespace rill

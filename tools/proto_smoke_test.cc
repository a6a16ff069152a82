#include <string>

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/graph.pb.h"

namespace {

rill::pb::GraphDef MakeGraph() {
  rill::pb::GraphDef graph;
  graph.mutable_versions()->set_producer(1087);
  rill::pb::NodeDef* node = graph.add_node();
  node->set_name("c");
  node->set_op("Const");
  node->set_device("/cpu:0");

  rill::pb::AttrValue dtype;
  dtype.set_type(rill::pb::DT_FLOAT);
  (*node->mutable_attr())["dtype"] = dtype;

  rill::pb::TensorProto* t = (*node->mutable_attr())["value"].mutable_tensor();
  t->set_dtype(rill::pb::DT_FLOAT);
  t->mutable_tensor_shape()->add_dim()->set_size(2);
  t->add_float_val(1.5f);
  t->add_float_val(-2.0f);
  return graph;
}

void ExpectGraph(const rill::pb::GraphDef& g) {
  EXPECT_EQ(g.versions().producer(), 1087);
  ASSERT_EQ(g.node_size(), 1);
  const rill::pb::NodeDef& n = g.node(0);
  EXPECT_EQ(n.name(), "c");
  EXPECT_EQ(n.op(), "Const");
  EXPECT_EQ(n.device(), "/cpu:0");
  ASSERT_EQ(n.attr().count("dtype"), 1u);
  EXPECT_EQ(n.attr().at("dtype").type(), rill::pb::DT_FLOAT);
  ASSERT_EQ(n.attr().count("value"), 1u);
  const rill::pb::TensorProto& t = n.attr().at("value").tensor();
  EXPECT_EQ(t.dtype(), rill::pb::DT_FLOAT);
  ASSERT_EQ(t.tensor_shape().dim_size(), 1);
  EXPECT_EQ(t.tensor_shape().dim(0).size(), 2);
  ASSERT_EQ(t.float_val_size(), 2);
  EXPECT_EQ(t.float_val(0), 1.5f);
  EXPECT_EQ(t.float_val(1), -2.0f);
  EXPECT_FALSE(g.has_library());
}

TEST(ProtoSmoke, BinaryRoundTrip) {
  const rill::pb::GraphDef g = MakeGraph();
  std::string wire;
  ASSERT_TRUE(g.SerializeToString(&wire));
  rill::pb::GraphDef back;
  ASSERT_TRUE(back.ParseFromString(wire));
  ExpectGraph(back);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(g, back));
}

TEST(ProtoSmoke, TextRoundTrip) {
  const rill::pb::GraphDef g = MakeGraph();
  std::string text;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(g, &text));
  rill::pb::GraphDef back;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &back));
  ExpectGraph(back);
}

TEST(ProtoSmoke, RefTypesAreValuePlus100) {
  EXPECT_EQ(rill::pb::DT_FLOAT_REF, rill::pb::DT_FLOAT + 100);
  EXPECT_EQ(rill::pb::DT_UINT64_REF, 123);
}

TEST(EigenSmoke, MatMul) {
  Eigen::Matrix2f a;
  a << 1, 2,
       3, 4;
  Eigen::Matrix2f b;
  b << 5, 6,
       7, 8;
  const Eigen::Matrix2f c = a * b;
  EXPECT_EQ(c(0, 0), 19);
  EXPECT_EQ(c(0, 1), 22);
  EXPECT_EQ(c(1, 0), 43);
  EXPECT_EQ(c(1, 1), 50);
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError(absl::StrCat(x, " is odd"));
  return x / 2;
}

TEST(AbslSmoke, StrCatAndStatusOr) {
  EXPECT_EQ(absl::StrCat("rill", 1, ".", 5), "rill1.5");
  absl::StatusOr<int> ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);
  absl::StatusOr<int> bad = Half(3);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "3 is odd");
}

}  // namespace

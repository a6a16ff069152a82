#include "graph/graph_def.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "graph/file_io.h"
#include "graph/tensor_proto.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "ops/array_ops.h"
#include "ops/math_ops.h"
#include "ops/nn_ops.h"
#include "ops/op_registry.h"

namespace rill {
namespace {

using ::rill::testing::HasError;

pb::GraphDef ParseText(const std::string& text) {
  pb::GraphDef def;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &def)) << text;
  return def;
}

absl::StatusOr<std::unique_ptr<Graph>> Import(const std::string& text) {
  return GraphFromGraphDef(ParseText(text), &GlobalOpRegistry());
}

const char kPlaceholder[] = R"(
  node { name: "x" op: "Placeholder"
         attr { key: "dtype" value { type: DT_FLOAT } }
         attr { key: "shape" value { shape { dim { size: -1 } dim { size: 2 } } } } }
)";

std::string GruLikeGraph() {
  // A small graph exercising helper consts, multi-output Split and defaults.
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 2}));
  Output w = ops::Const(root.WithOpName("w"), {1, 2, 3, 4, 5, 6, 7, 8}, TensorShape({2, 4}));
  Output b = ops::Const(root.WithOpName("b"), {1, 1, 1, 1}, TensorShape({4}));
  Scope cell = root.NewSubScope("cell");
  Output g = ops::Sigmoid(cell, ops::BiasAdd(cell, ops::MatMul(cell, x, w), b));
  std::vector<Output> ru = ops::Split(cell, 1, g, 2);
  ops::AddV2(cell, ops::Mul(cell, ru[0], x), ops::SubFromScalar(cell, 1.0f, ru[1]));
  EXPECT_TRUE(root.ok()) << root.status();
  pb::GraphDef def;
  ToGraphDef(*root.graph(), &def);
  std::string text;
  google::protobuf::TextFormat::PrintToString(def, &text);
  return text;
}

TEST(GraphDefTest, ExportWritesTensorFlowConventions) {
  pb::GraphDef def = ParseText(GruLikeGraph());
  EXPECT_EQ(def.versions().producer(), kGraphDefProducerVersion);
  const pb::NodeDef* matmul = nullptr;
  const pb::NodeDef* mul = nullptr;
  for (const auto& n : def.node()) {
    if (n.name() == "cell/MatMul") matmul = &n;
    if (n.name() == "cell/mul") mul = &n;
  }
  ASSERT_NE(matmul, nullptr);
  ASSERT_NE(mul, nullptr);
  // Every attr is written, defaults included; output 0 is written bare.
  EXPECT_EQ(matmul->attr().count("transpose_a"), 1u);
  EXPECT_EQ(matmul->attr().at("T").type(), DT_FLOAT);
  EXPECT_EQ(matmul->input(0), "x");
  EXPECT_EQ(mul->input(0), "cell/split");
  for (const auto& n : def.node()) {
    if (n.name() == "cell/sub") {
      EXPECT_EQ(n.input(1), "cell/split:1");
    }
  }
}

TEST(GraphDefTest, TextAndBinaryRoundTripsAreExact) {
  pb::GraphDef def = ParseText(GruLikeGraph());
  for (bool binary : {true, false}) {
    std::string bytes;
    if (binary) {
      ASSERT_TRUE(def.SerializeToString(&bytes));
    } else {
      ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(def, &bytes));
    }
    absl::StatusOr<pb::GraphDef> parsed = ParseGraphDef(bytes, !binary);
    RILL_ASSERT_OK(parsed);
    absl::StatusOr<std::unique_ptr<Graph>> g = GraphFromGraphDef(*parsed, &GlobalOpRegistry());
    RILL_ASSERT_OK(g);
    pb::GraphDef again;
    ToGraphDef(**g, &again);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(def, again))
        << again.DebugString();
  }
}

TEST(GraphDefTest, AcceptsWhatTensorFlowWrites) {
  // Nodes out of order, "n:0", "^n", _class/_output_shapes attrs, devices,
  // both Add and AddV2, Const with a single repeated float_val.
  absl::StatusOr<std::unique_ptr<Graph>> g = Import(R"(
    node { name: "sum" op: "Add" input: "y" input: "c:0" input: "^x"
           device: "/job:localhost/replica:0/task:0/device:CPU:0"
           attr { key: "T" value { type: DT_FLOAT } }
           attr { key: "_output_shapes" value { list { shape { dim { size: -1 } dim { size: 2 } } } } } }
    node { name: "y" op: "AddV2" input: "x" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
    node { name: "c" op: "Const"
           attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "_class" value { list { s: "loc:@x" } } }
           attr { key: "value" value { tensor { dtype: DT_FLOAT
               tensor_shape { dim { size: 2 } } float_val: 0.5 } } } }
  )" + std::string(kPlaceholder) + R"( versions { producer: 134 })");
  RILL_ASSERT_OK(g);
  Node* sum = (*g)->FindNode("sum");
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->output_shape(0), TensorShape({-1, 2}));
  EXPECT_EQ(sum->control_inputs().size(), 1u);
  EXPECT_EQ((*g)->FindNode("c")->const_value()->DebugString(), "float [2] {0.5, 0.5}");
  EXPECT_EQ((*g)->producer_version(), 134);
}

TEST(GraphDefTest, RejectsBadGraphsWithClearErrors) {
  EXPECT_TRUE(HasError(Import(R"(node { name: "a" op: "Frobnicate" })"),
                       absl::StatusCode::kNotFound, "Op type not registered 'Frobnicate'"));
  EXPECT_TRUE(HasError(Import(R"(node { name: "a" op: "Identity" input: "nope"
                                  attr { key: "T" value { type: DT_FLOAT } } })"),
                       absl::StatusCode::kInvalidArgument, "Node 'a': Unknown input node 'nope'"));
  EXPECT_TRUE(HasError(Import(std::string(kPlaceholder) + R"(
                         node { name: "a" op: "Identity" input: "x:1"
                                attr { key: "T" value { type: DT_FLOAT } } })"),
                       absl::StatusCode::kInvalidArgument,
                       "refers to output 1 of node 'x', which has only 1 outputs"));
  EXPECT_TRUE(HasError(Import(std::string(kPlaceholder) + kPlaceholder),
                       absl::StatusCode::kInvalidArgument, "Duplicate node name in graph: 'x'"));
  EXPECT_TRUE(HasError(Import(R"(
      node { name: "a" op: "Identity" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
      node { name: "b" op: "Identity" input: "a" attr { key: "T" value { type: DT_FLOAT } } })"),
                       absl::StatusCode::kInvalidArgument,
                       "GraphDef contains a cycle: 2 nodes are part of or depend on a cycle"));
  EXPECT_TRUE(HasError(Import(R"(
      node { name: "a" op: "NoOp" input: "^a" })"),
                       absl::StatusCode::kInvalidArgument, "cycle"));
  EXPECT_TRUE(HasError(Import(std::string(kPlaceholder) + R"(
      node { name: "n" op: "NoOp" }
      node { name: "a" op: "Identity" input: "^n" input: "x"
             attr { key: "T" value { type: DT_FLOAT } } })"),
                       absl::StatusCode::kInvalidArgument,
                       "Control dependencies must come after regular dependencies"));
  EXPECT_TRUE(HasError(Import(R"(node { name: "c" op: "Const"
      attr { key: "dtype" value { type: DT_FLOAT } }
      attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } }
                                          tensor_content: "\000\000\000\000" } } } })"),
                       absl::StatusCode::kInvalidArgument,
                       "has tensor_content of 4 bytes; expected 12"));
  EXPECT_TRUE(HasError(Import(R"(node { name: "c" op: "Const"
      attr { key: "dtype" value { type: DT_INT32 } }
      attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { } float_val: 1 } } } })"),
                       absl::StatusCode::kInvalidArgument,
                       "Type mismatch between value (float) and dtype (int32)"));
  EXPECT_TRUE(HasError(Import(R"(node { name: "p" op: "Placeholder" })"),
                       absl::StatusCode::kInvalidArgument, "NodeDef missing attr 'dtype'"));
  EXPECT_TRUE(HasError(Import(R"(library { function { } })"),
                       absl::StatusCode::kUnimplemented, "function library"));
  EXPECT_TRUE(HasError(Import(R"(versions { producer: 500 min_consumer: 400 })"),
                       absl::StatusCode::kInvalidArgument, "min consumer version 400"));
}

TEST(GraphDefTest, LargeConstantsAreStoredOnceAndExportedWhole) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  std::vector<float> values(1000);
  for (int i = 0; i < 1000; ++i) values[i] = 0.5f * i;
  Output c = ops::Const(root.WithOpName("big"), values, TensorShape({10, 100}));
  RILL_ASSERT_OK(root.status());
  EXPECT_TRUE(c.node->const_value_elided());
  EXPECT_TRUE(c.node->attrs().at("value").tensor().tensor_content().empty());
  EXPECT_EQ(c.node->const_value()->data<float>()[999], 499.5f);
  pb::GraphDef def;
  ToGraphDef(*root.graph(), &def);
  absl::StatusOr<Tensor> back = TensorFromProto(def.node(0).attr().at("value").tensor());
  RILL_ASSERT_OK(back);
  EXPECT_TRUE(back->Equals(*c.node->const_value()));
  // Re-importing the export gives the same GraphDef again.
  auto g = GraphFromGraphDef(def, &GlobalOpRegistry());
  RILL_ASSERT_OK(g);
  pb::GraphDef again;
  ToGraphDef(**g, &again);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(def, again));
}

// Importing an rvalue GraphDef moves its attr values instead of copying
// them; the graph must be the same as from a const one, in the file's order.
TEST(GraphDefTest, ImportingAMovedGraphDefGivesTheSameGraph) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  std::vector<float> values(1000);
  for (int i = 0; i < 1000; ++i) values[i] = 0.25f * i;
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 10}));
  Output w = ops::Const(root.WithOpName("w"), values, TensorShape({10, 100}));
  ops::Identity(root.WithOpName("y").WithControlDependencies({w.node}), ops::MatMul(root, x, w));
  RILL_ASSERT_OK(root.status());
  pb::GraphDef def;
  ToGraphDef(*root.graph(), &def);
  pb::GraphDef copy = def;

  auto from_const = GraphFromGraphDef(def, &GlobalOpRegistry());
  auto from_moved = GraphFromGraphDef(std::move(copy), &GlobalOpRegistry());
  RILL_ASSERT_OK(from_const);
  RILL_ASSERT_OK(from_moved);
  pb::GraphDef a, b;
  ToGraphDef(**from_const, &a);
  ToGraphDef(**from_moved, &b);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(def, a));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(def, b));
  const Node* moved_w = (*from_moved)->FindNode("w");
  ASSERT_NE(moved_w, nullptr);
  EXPECT_TRUE(moved_w->const_value_elided());
  EXPECT_EQ(moved_w->const_value()->data<float>()[999], 249.75f);
  ASSERT_EQ((*from_moved)->FindNode("y")->control_inputs().size(), 1u);
  EXPECT_EQ((*from_moved)->FindNode("y")->control_inputs()[0], moved_w);
}

// Inputs are resolved against every node's name before any node is added:
// a producer later in the file is found, a malformed or unknown one is
// reported with the consumer's name.
TEST(GraphDefTest, InputsNameProducersAnywhereInTheFile) {
  auto g = Import(R"(
      node { name: "b" op: "Identity" input: "a:0" attr { key: "T" value { type: DT_FLOAT } } }
      node { name: "c" op: "NoOp" input: "^b" input: "^a" }
      node { name: "a" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } })");
  RILL_ASSERT_OK(g);
  ASSERT_EQ((*g)->num_nodes(), 3);
  EXPECT_EQ((*g)->nodes()[0]->name(), "a");
  EXPECT_EQ((*g)->nodes()[1]->name(), "b");
  EXPECT_EQ((*g)->nodes()[2]->name(), "c");
  EXPECT_EQ((*g)->nodes()[2]->control_inputs().size(), 2u);
  EXPECT_TRUE(HasError(Import(std::string(kPlaceholder) + R"(
      node { name: "b" op: "Identity" input: "x:one"
             attr { key: "T" value { type: DT_FLOAT } } })"),
                       absl::StatusCode::kInvalidArgument,
                       "Node 'b': Malformed tensor name 'x:one': expected 'node' or 'node:index'"));
  EXPECT_TRUE(HasError(Import(std::string(kPlaceholder) + R"(
      node { name: "b" op: "NoOp" input: "^y" })"),
                       absl::StatusCode::kInvalidArgument, "Node 'b': Unknown input node 'y'"));
}

TEST(GraphDefTest, ConstAboveTheCapIsResourceExhausted) {
  pb::GraphDef def = ParseText(R"(node { name: "c" op: "Const"
      attr { key: "dtype" value { type: DT_FLOAT } }
      attr { key: "value" value { tensor { dtype: DT_FLOAT
          tensor_shape { dim { size: 1048576 } dim { size: 1048576 } } float_val: 0 } } } })");
  EXPECT_TRUE(HasError(GraphFromGraphDef(def, &GlobalOpRegistry()),
                       absl::StatusCode::kResourceExhausted, "cap"));
}

TEST(GraphDefTest, MalformedBytesAreDataLoss) {
  EXPECT_TRUE(HasError(ParseGraphDef("\x0a\xff\xff\xff\xff\x0f garbage", false),
                       absl::StatusCode::kDataLoss, "malformed protobuf"));
  EXPECT_TRUE(HasError(ParseGraphDef("node { name: \"a\" op: }", true),
                       absl::StatusCode::kDataLoss, "line 1:"));
  // Deeply nested attr lists are stopped by the recursion limit, not the stack.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "\x0a\x80\x80\x04";
  EXPECT_FALSE(ParseGraphDef(deep, false).ok());
}

TEST(GraphDefTest, FilesRoundTripInBothFormatsAndDetectText) {
  pb::GraphDef def = ParseText(GruLikeGraph());
  const std::string dir = ::testing::TempDir();
  for (const std::string name : {"g.pb", "g.pbtxt"}) {
    const std::string path = dir + "/" + name;
    RILL_ASSERT_OK(WriteGraphDefFile(path, def));
    absl::StatusOr<pb::GraphDef> back = ReadGraphDefFile(path);
    RILL_ASSERT_OK(back);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(def, *back));
  }
  // A text graph under a binary-looking name is still read.
  RILL_ASSERT_OK(WriteGraphDefFile(dir + "/text.pb", def, GraphFormat::kText));
  RILL_EXPECT_OK(ReadGraphDefFile(dir + "/text.pb"));
  EXPECT_TRUE(HasError(ReadGraphDefFile(dir + "/missing.pb"), absl::StatusCode::kNotFound,
                       "missing.pb"));
}

// A binary file is parsed as it is read: a truncated or corrupt one gives
// the same error as parsing its bytes, with the path; so does a binary-only
// read of a text file. Read from a pipe (no size), it is parsed whole.
TEST(GraphDefTest, BinaryFilesAreParsedAsTheyAreRead) {
  pb::GraphDef def = ParseText(GruLikeGraph());
  const std::string dir = ::testing::TempDir();
  std::string bytes;
  ASSERT_TRUE(def.SerializeToString(&bytes));
  const std::string cut = dir + "/cut.pb";
  RILL_ASSERT_OK(WriteFileAtomically(cut, bytes.substr(0, bytes.size() - 3)));
  EXPECT_TRUE(HasError(ReadGraphDefFile(cut), absl::StatusCode::kDataLoss,
                       "Failed to read GraphDef from '" + cut +
                           "': Cannot parse binary GraphDef: malformed protobuf"));
  const std::string text = dir + "/as_text.pb";
  RILL_ASSERT_OK(WriteGraphDefFile(text, def, GraphFormat::kText));
  EXPECT_TRUE(HasError(ReadGraphDefFile(text, GraphFormat::kBinary),
                       absl::StatusCode::kDataLoss, "malformed protobuf"));

  const std::string fifo = dir + "/graph.fifo";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    FILE* f = std::fopen(fifo.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  });
  absl::StatusOr<pb::GraphDef> back = ReadGraphDefFile(fifo);
  writer.join();
  RILL_ASSERT_OK(back);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(def, *back));
}

}  // namespace
}  // namespace rill

#include "runtime/graph_summary.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "graph/graph_def.h"
#include "gtest/gtest.h"
#include "ops/op_registry.h"

namespace rill {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

pb::GraphDef ParseText(const std::string& text) {
  pb::GraphDef def;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &def)) << text;
  return def;
}

constexpr char kMatMulGraph[] = R"pb(
  node {
    name: "a"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "shape"
      value {
        shape {
          dim { size: -1 }
          dim { size: 2 }
        }
      }
    }
  }
  node {
    name: "w"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_FLOAT
          tensor_shape {
            dim { size: 2 }
            dim { size: 3 }
          }
          float_val: 1
        }
      }
    }
  }
  node {
    name: "b"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_DOUBLE }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_DOUBLE
          tensor_shape {}
          double_val: 2
        }
      }
    }
  }
  node { name: "init" op: "NoOp" }
  node {
    name: "m"
    op: "MatMul"
    input: "a"
    input: "w:0"
    input: "^init"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "n"
    op: "Identity"
    input: "m"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  node {
    name: "o"
    op: "Identity"
    input: "m"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
)pb";

TEST(SummarizeGraphDefTest, CountsOpsInputsOutputsConstsAndControlEdges) {
  GraphSummary s = SummarizeGraphDef(ParseText(kMatMulGraph));
  EXPECT_EQ(s.num_nodes, 7);
  EXPECT_THAT(s.op_counts, ElementsAre(Pair("Const", 2), Pair("Identity", 2), Pair("MatMul", 1),
                                       Pair("NoOp", 1), Pair("Placeholder", 1)));
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].name, "a");
  EXPECT_EQ(s.inputs[0].dtype, "float");
  EXPECT_EQ(s.inputs[0].shape, "[?,2]");
  EXPECT_THAT(s.outputs, ElementsAre(Pair("n", "Identity"), Pair("o", "Identity")));
  EXPECT_EQ(s.const_elements, 7);
  EXPECT_EQ(s.const_bytes, 6 * 4 + 8);
  EXPECT_EQ(s.control_edges, 1);
  EXPECT_TRUE(s.variables.empty());
  EXPECT_TRUE(s.dangling_inputs.empty());

  const std::string text = FormatGraphSummary(s);
  EXPECT_THAT(text, HasSubstr("Nodes: 7\n"));
  EXPECT_THAT(text,
              HasSubstr("Op types used: 2 Const, 2 Identity, 1 MatMul, 1 NoOp, 1 Placeholder\n"));
  EXPECT_THAT(text, HasSubstr("Found 1 possible inputs: a (float, [?,2])\n"));
  EXPECT_THAT(text, HasSubstr("No variables spotted.\n"));
  EXPECT_THAT(text, HasSubstr("Found 2 possible outputs: n (Identity), o (Identity)\n"));
  EXPECT_THAT(text, HasSubstr("Const parameters: 7 elements, 32 bytes\n"));
  EXPECT_THAT(text, HasSubstr("Control edges: 1\n"));
}

TEST(SummarizeGraphDefTest, ReportsVariablesDanglingInputsAndMissingAttrs) {
  GraphSummary s = SummarizeGraphDef(ParseText(R"pb(
    node {
      name: "v"
      op: "VariableV2"
      attr {
        key: "dtype"
        value { type: DT_FLOAT }
      }
      attr {
        key: "shape"
        value {
          shape {
            dim { size: 3 }
            dim { size: 4 }
          }
        }
      }
    }
    node { name: "p" op: "Placeholder" }
    node { name: "q" op: "Foo" input: "v" input: "ghost:1" input: "^p" }
  )pb"));
  ASSERT_EQ(s.variables.size(), 1u);
  EXPECT_EQ(s.variables[0].shape, "[3,4]");
  EXPECT_EQ(s.variable_elements, 12);
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].dtype, "?");
  EXPECT_EQ(s.inputs[0].shape, "<unknown>");
  EXPECT_THAT(s.dangling_inputs, ElementsAre("input 'ghost:1' of node 'q'"));
  const std::string text = FormatGraphSummary(s);
  EXPECT_THAT(text, HasSubstr("Found 1 variables: v (float, [3,4])\n"));
  EXPECT_THAT(text, HasSubstr("Variable parameters: 12 elements\n"));
  EXPECT_THAT(text, HasSubstr("Found 1 possible outputs: q (Foo)\n"));
  EXPECT_THAT(text, HasSubstr("Invalid inputs (nonexistent nodes): input 'ghost:1' of node 'q'"));
}

TEST(SummarizeGraphDefTest, EmptyGraph) {
  const std::string text = FormatGraphSummary(SummarizeGraphDef(pb::GraphDef()));
  EXPECT_THAT(text, HasSubstr("Nodes: 0\n"));
  EXPECT_THAT(text, HasSubstr("No inputs spotted.\n"));
  EXPECT_THAT(text, HasSubstr("No outputs spotted.\n"));
}

TEST(GraphDefToDotTest, DrawsBoxesDataAndControlEdges) {
  const std::string dot = GraphDefToDot(ParseText(kMatMulGraph), nullptr);
  EXPECT_EQ(dot.rfind("digraph", 0), 0u);
  EXPECT_THAT(dot, HasSubstr("node [shape=box];"));
  EXPECT_THAT(dot, HasSubstr("\"m\" [label=\"m\\nMatMul\"];"));
  EXPECT_THAT(dot, HasSubstr("\"a\" -> \"m\";"));
  EXPECT_THAT(dot, HasSubstr("\"w\" -> \"m\";"));
  EXPECT_THAT(dot, HasSubstr("\"init\" -> \"m\" [style=dashed];"));
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
}

TEST(GraphDefToDotTest, LabelsDataEdgesWithInferredShapes) {
  pb::GraphDef def = ParseText(kMatMulGraph);
  absl::StatusOr<std::unique_ptr<Graph>> graph = GraphFromGraphDef(def, &GlobalOpRegistry());
  ASSERT_TRUE(graph.ok()) << graph.status();
  const std::string dot = GraphDefToDot(def, graph->get());
  EXPECT_THAT(dot, HasSubstr("\"a\" -> \"m\" [label=\"[?,2]\"];"));
  EXPECT_THAT(dot, HasSubstr("\"w\" -> \"m\" [label=\"[2,3]\"];"));
  EXPECT_THAT(dot, HasSubstr("\"m\" -> \"n\" [label=\"[?,3]\"];"));
  EXPECT_THAT(dot, HasSubstr("\"init\" -> \"m\" [style=dashed];"));
}

TEST(GraphDefToDotTest, EscapesQuotesInNames) {
  const std::string dot =
      GraphDefToDot(ParseText(R"pb(node { name: "we\"ird\\" op: "NoOp" })pb"), nullptr);
  EXPECT_THAT(dot, HasSubstr("\"we\\\"ird\\\\\" [label=\"we\\\"ird\\\\\\nNoOp\"];"));
}

}  // namespace
}  // namespace rill

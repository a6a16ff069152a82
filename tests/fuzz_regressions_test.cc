// Regression tests for bugs the fuzzers (fuzz/, tools/fuzz.sh) found, each
// reduced to the smallest graph that shows it. The crash inputs themselves
// are replayed by //fuzz:*_fuzzer_replay (fuzz/regressions/<target>/); under
// --config=asan these tests catch the undefined behaviour too.
#include <memory>
#include <string>
#include <vector>

#include "graph/graph_def.h"
#include "graph/test_util.h"
#include "gtest/gtest.h"
#include "runtime/session.h"

namespace rill {
namespace {

// graph_import fuzzer, fuzz/regressions/graph_import/
// concat_fold_empty_input_memcpy_null: gru.pb with the zero_state's batch
// Const turned into an empty int32 vector. ConcatV2's constant folding then
// called memcpy with the empty tensor's null buffer (UBSan: "null pointer
// passed as argument 2"). An empty piece must simply contribute nothing.
TEST(FuzzRegressionTest, ConcatFoldingOfAnEmptyVector) {
  constexpr char kText[] = R"pb(
    node { name: "empty" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
           attr { key: "value" value { tensor { dtype: DT_INT32
                                                tensor_shape { dim { size: 0 } } } } } }
    node { name: "dims" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
           attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } }
                                                int_val: 2 int_val: 3 } } } }
    node { name: "axis" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
           attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 0 } } } }
    node { name: "shape" op: "ConcatV2" input: "empty" input: "dims" input: "empty" input: "axis"
           attr { key: "N" value { i: 3 } } attr { key: "T" value { type: DT_INT32 } } }
    node { name: "one" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
           attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { } float_val: 1 } } } }
    node { name: "fill" op: "Fill" input: "shape" input: "one" attr { key: "T" value { type: DT_FLOAT } } }
    node { name: "all_empty" op: "ConcatV2" input: "empty" input: "empty" input: "axis"
           attr { key: "N" value { i: 2 } } attr { key: "T" value { type: DT_INT32 } } }
  )pb";
  absl::StatusOr<pb::GraphDef> def = ParseGraphDef(kText, /*text=*/true);
  RILL_ASSERT_OK(def);
  absl::StatusOr<std::unique_ptr<Session>> s = Session::Create(*def);
  RILL_ASSERT_OK(s);
  const Graph& g = (*s)->graph();
  // Folded at import: Fill's shape is static.
  EXPECT_EQ(g.FindNode("fill")->output_shape(0), TensorShape({2, 3}));
  ASSERT_NE(g.FindNode("all_empty")->const_value(), nullptr);
  EXPECT_EQ(g.FindNode("all_empty")->const_value()->shape(), TensorShape({0}));
  auto out = (*s)->Run({}, {"fill", "shape", "all_empty"});
  RILL_ASSERT_OK(out);
  EXPECT_EQ((*out)[0].shape(), TensorShape({2, 3}));
  EXPECT_EQ((*out)[1].shape(), TensorShape({2}));
  EXPECT_EQ((*out)[2].num_elements(), 0);
}

}  // namespace
}  // namespace rill

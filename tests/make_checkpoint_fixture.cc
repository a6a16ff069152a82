// Writes the fixtures of `runner run --checkpoint` (tests/runner_cli_test.sh)
// into a folder:
//   DIR/var.pbtxt  a non-frozen graph: y = x @ w, with x: float [?,2] and a
//                  variable w: float [2,2] whose initializer gives zeros;
//   DIR/var.ckpt   a checkpoint holding w = [[1, 2], [3, 4]];
//   DIR/var_x.npy  x = [[1, 1]], so y = [[4, 6]] with the checkpoint.
//
//   bazel-bin/tests/make_checkpoint_fixture DIR
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph_def.h"
#include "graph/scope.h"
#include "graph/status_macros.h"
#include "ops/array_ops.h"
#include "ops/initializers.h"
#include "ops/math_ops.h"
#include "ops/op_registry.h"
#include "ops/variables.h"
#include "runtime/checkpoint.h"
#include "runtime/npy.h"
#include "runtime/session.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

absl::Status WriteFixtures(const std::string& dir) {
  Scope root = Scope::NewRootScope(&GlobalOpRegistry());
  Output x = ops::Placeholder(root.WithOpName("x"), DT_FLOAT, TensorShape({-1, 2}));
  GetVariableOptions o;
  o.shape = TensorShape({2, 2});
  o.initializer = ZerosInitializer();
  ASSIGN_OR_RETURN(Variable * w, GetVariable(root, "w", o));
  ops::MatMul(root.WithOpName("y"), x, w->value);
  Node* init = GlobalVariablesInitializer(root);
  RETURN_IF_ERROR(root.status());

  pb::GraphDef def;
  ToGraphDef(*root.graph(), &def);
  RETURN_IF_ERROR(WriteGraphDefFile(dir + "/var.pbtxt", def));

  ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::Create(*root.graph()));
  RETURN_IF_ERROR(session->Run({}, {}, {init->name()}).status());
  ASSIGN_OR_RETURN(Tensor w_value,
                   Tensor::FromVector<float>(TensorShape({2, 2}), std::vector<float>{1, 2, 3, 4}));
  RETURN_IF_ERROR(session->variables().Write("w", std::move(w_value)));
  RETURN_IF_ERROR(SaveCheckpoint(*session, dir + "/var.ckpt"));

  ASSIGN_OR_RETURN(Tensor x_value,
                   Tensor::FromVector<float>(TensorShape({1, 2}), std::vector<float>{1, 1}));
  return WriteNpyFile(dir + "/var_x.npy", x_value);
}

}  // namespace
}  // namespace rill

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  absl::Status s = rill::WriteFixtures(argv[1]);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

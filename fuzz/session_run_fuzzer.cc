// Fuzzes import + Session::Run. An input is a GraphDef (binary or text),
// optionally followed by the marker "RILLFEED" and bytes that drive the run:
// whether plan-time rewrites (GRU fusion) are on, the sizes of unknown
// dimensions of fed placeholders and their values. Every Placeholder is fed
// (PlaceholderWithDefault sometimes); every zero-output node (e.g. "init")
// runs first as a target, then every unconsumed output is fetched, twice.
//
// Caps: graphs above 1000 nodes are skipped; SessionOptions allows 1 MiB per
// tensor and 16 MiB per run, so hostile sizes end in ResourceExhausted.
// Invariants: nothing crashes, and every fetched tensor has its node's dtype
// and a shape compatible with the one shape inference gave at import.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_util.h"
#include "runtime/session.h"

namespace rill {
namespace fuzz {
namespace {

constexpr char kFeedMarker[] = "RILLFEED";
constexpr int64_t kMaxFeedDim = 64;
constexpr int64_t kMaxFeedElements = 4096;

// A value for `out` (a placeholder) of its dtype, with unknown dims drawn
// from `p`; nullopt when its declared shape is too big to feed here.
std::optional<Tensor> MakeFeed(const Output& out, ByteReader& p) {
  const TensorShape& declared = out.shape();
  std::vector<int64_t> dims;
  if (declared.unknown_rank()) {
    const int rank = static_cast<int>(p.InRange(0, 3));
    for (int i = 0; i < rank; ++i) dims.push_back(p.InRange(0, 4));
  } else {
    for (int64_t d : declared.dims()) {
      if (d > kMaxFeedDim) return std::nullopt;
      dims.push_back(d >= 0 ? d : p.InRange(0, 4));
    }
  }
  int64_t n = 1;
  for (int64_t d : dims) {
    n *= d;
    if (n > kMaxFeedElements) return std::nullopt;
  }
  absl::StatusOr<Tensor> t = Tensor::Allocate(BaseType(out.dtype()), TensorShape(dims),
                                              kMaxTensorBytes);
  if (!t.ok()) return std::nullopt;
  const std::string bytes = p.Bytes(t->TotalBytes());
  if (t->dtype() == DT_BOOL) {
    for (size_t i = 0; i < bytes.size(); ++i) t->data<bool>()[i] = (bytes[i] & 1) != 0;
  } else if (!bytes.empty()) {
    std::memcpy(t->raw(), bytes.data(), bytes.size());
  }
  return *std::move(t);
}

void CheckFetched(const Graph& graph, const std::vector<std::string>& fetches,
                  const std::vector<Tensor>& values) {
  if (values.size() != fetches.size()) Fail("Run returned the wrong number of tensors");
  for (size_t i = 0; i < values.size(); ++i) {
    const Output o = *graph.FindOutput(fetches[i]);
    const Tensor& t = values[i];
    if (!t.initialized() || t.dtype() != BaseType(o.dtype())) {
      Fail(absl::StrCat("fetch ", fetches[i], " has dtype ", DataTypeString(t.dtype()),
                        ", expected ", DataTypeString(BaseType(o.dtype()))));
    }
    if (!t.shape().IsCompatibleWith(o.shape())) {
      Fail(absl::StrCat("fetch ", fetches[i], " has shape ", t.shape().ToString(),
                        ", incompatible with the inferred ", o.shape().ToString()));
    }
  }
}

void RunOne(const pb::GraphDef& def, const std::string& run_bytes) {
  ByteReader p(run_bytes.data(), run_bytes.size());
  SessionOptions options;
  options.max_tensor_bytes = kMaxTensorBytes;
  options.max_run_bytes = kMaxRunBytes;
  options.enable_rewrites = p.Bool();
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(def, options);
  if (!session.ok()) return;
  const Graph& graph = (*session)->graph();

  Session::Feeds feeds;
  std::vector<std::string> targets, fetches;
  for (const auto& node : graph.nodes()) {
    const bool is_placeholder = node->op() == "Placeholder";
    if (is_placeholder || (node->op() == "PlaceholderWithDefault" && p.Bool())) {
      std::optional<Tensor> value = MakeFeed(Output(node.get(), 0), p);
      if (value) feeds.emplace_back(node->name(), *std::move(value));
    }
    if (node->num_outputs() == 0) targets.push_back(node->name());
    if (node->data_consumers().empty() && node->control_consumers().empty()) {
      for (int k = 0; k < node->num_outputs() && fetches.size() < 16; ++k) {
        fetches.push_back(absl::StrCat(node->name(), ":", k));
      }
    }
  }
  if (!targets.empty()) (void)(*session)->Run(feeds, {}, targets);
  for (int round = 0; round < 2; ++round) {
    absl::StatusOr<std::vector<Tensor>> out = (*session)->Run(feeds, fetches);
    if (out.ok()) CheckFetched(graph, fetches, *out);
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace rill

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string all(reinterpret_cast<const char*>(data), size);
  const size_t marker = all.find(rill::fuzz::kFeedMarker);
  const std::string graph_bytes = all.substr(0, marker);
  const std::string run_bytes =
      marker == std::string::npos ? "" : all.substr(marker + sizeof(rill::fuzz::kFeedMarker) - 1);
  std::optional<rill::pb::GraphDef> def = rill::fuzz::ParseEitherFormat(graph_bytes);
  if (def) rill::fuzz::RunOne(*def, run_bytes);
  return 0;
}

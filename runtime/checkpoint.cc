#include "runtime/checkpoint.h"

#include <cstring>
#include <limits>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "graph/attr_value.h"
#include "graph/file_io.h"
#include "graph/status_macros.h"
#include "graph/tensor_proto.h"
#include "proto/checkpoint.pb.h"
#include "runtime/crc32c.h"
#include "runtime/variable_storage.h"

namespace rill {
namespace {

constexpr int kMagicBytes = 8;
constexpr int kRecursionLimit = 100;
constexpr size_t kMinFileBytes = kCheckpointHeaderBytes + kCheckpointTrailerBytes;
constexpr char kVariableOp[] = "VariableV2";

void AppendLittleEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t LoadLittleEndian(const std::string& s, size_t offset, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[offset + i]);
  return v;
}

std::string Where(const std::string& filename) {
  return absl::StrCat("checkpoint '", filename, "'");
}

// "float [2,3]".
std::string Describe(DataType dtype, const TensorShape& shape) {
  return absl::StrCat(DataTypeString(dtype), " ", shape.ToString());
}

}  // namespace

absl::StatusOr<std::string> EncodeCheckpoint(const std::map<std::string, Tensor>& tensors) {
  pb::Checkpoint payload;
  for (const auto& [name, t] : tensors) {  // std::map: sorted by name.
    if (name.empty()) return absl::InvalidArgumentError("checkpoint tensor with an empty name");
    if (!t.initialized()) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint tensor '", name, "' is not initialized"));
    }
    RETURN_IF_ERROR(CheckSupportedDataType(t.dtype()));
    pb::NamedTensor* entry = payload.add_tensor();
    entry->set_name(name);
    pb::TensorProto* proto = entry->mutable_tensor();
    proto->set_dtype(t.dtype());
    t.shape().ToProto(proto->mutable_tensor_shape());
    // Always raw bytes (never TensorToProto's compact form): one layout to
    // read, and the size check in TensorFromProto covers every tensor.
    if (t.TotalBytes() > 0) proto->set_tensor_content(t.raw(), t.TotalBytes());
  }
  const size_t payload_bytes = payload.ByteSizeLong();
  if (payload_bytes > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "checkpoint payload of ", payload_bytes, " bytes exceeds protobuf's 2 GiB message limit"));
  }
  std::string out;
  out.reserve(kMinFileBytes + payload_bytes);
  out.append(kCheckpointMagic, kMagicBytes);
  AppendLittleEndian(kCheckpointVersion, 4, &out);
  AppendLittleEndian(payload_bytes, 8, &out);
  if (!payload.AppendToString(&out)) {
    return absl::InternalError("serializing the checkpoint payload failed");
  }
  AppendLittleEndian(crc32c::Mask(crc32c::Value(out)), 4, &out);
  return out;
}

absl::StatusOr<std::map<std::string, Tensor>> DecodeCheckpoint(const std::string& bytes,
                                                               const std::string& filename,
                                                               int64_t max_tensor_bytes) {
  const std::string where = Where(filename);
  if (bytes.size() < kMinFileBytes) {
    return absl::DataLossError(
        absl::StrCat(where, " is truncated or not a checkpoint: ", bytes.size(),
                     " bytes, fewer than the ", kMinFileBytes, " of an empty checkpoint"));
  }
  if (std::memcmp(bytes.data(), kCheckpointMagic, kMagicBytes) != 0) {
    return absl::DataLossError(
        absl::StrCat(where, " is not a rill checkpoint (bad magic; expected \"RILLCKPT\")"));
  }
  const uint64_t payload_bytes = LoadLittleEndian(bytes, 12, 8);
  if (payload_bytes != bytes.size() - kMinFileBytes) {
    return absl::DataLossError(
        absl::StrCat(where, " is truncated or corrupted: its header gives a payload of ",
                     payload_bytes, " bytes, but the file has ", bytes.size(), " bytes (expected ",
                     kMinFileBytes, " + payload)"));
  }
  if (payload_bytes > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
    return absl::DataLossError(absl::StrCat(where, " has a payload of ", payload_bytes,
                                            " bytes, above protobuf's 2 GiB message limit"));
  }
  const size_t crc_offset = bytes.size() - kCheckpointTrailerBytes;
  const uint32_t stored = static_cast<uint32_t>(LoadLittleEndian(bytes, crc_offset, 4));
  const uint32_t computed =
      crc32c::Mask(crc32c::Value(absl::string_view(bytes.data(), crc_offset)));
  if (stored != computed) {
    return absl::DataLossError(
        absl::StrFormat("%s is corrupted: checksum mismatch (stored masked crc32c 0x%08x, "
                        "computed 0x%08x)",
                        where, stored, computed));
  }
  const uint64_t version = LoadLittleEndian(bytes, kMagicBytes, 4);
  if (version != kCheckpointVersion) {
    return absl::DataLossError(absl::StrCat(where, " has format version ", version,
                                            "; this build reads version ", kCheckpointVersion));
  }

  pb::Checkpoint payload;
  google::protobuf::io::ArrayInputStream array(bytes.data() + kCheckpointHeaderBytes,
                                               static_cast<int>(payload_bytes));
  google::protobuf::io::CodedInputStream coded(&array);
  coded.SetTotalBytesLimit(std::numeric_limits<int>::max());
  coded.SetRecursionLimit(kRecursionLimit);
  if (!payload.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
    return absl::DataLossError(
        absl::StrCat(where, ": the payload is not a valid Checkpoint proto"));
  }
  std::map<std::string, Tensor> tensors;
  for (const pb::NamedTensor& entry : payload.tensor()) {
    if (entry.name().empty()) {
      return absl::DataLossError(absl::StrCat(where, " has a tensor with an empty name"));
    }
    absl::StatusOr<Tensor> t = TensorFromProto(entry.tensor(), max_tensor_bytes);
    if (!t.ok()) {
      const absl::StatusCode code = t.status().code() == absl::StatusCode::kResourceExhausted
                                        ? absl::StatusCode::kResourceExhausted
                                        : absl::StatusCode::kDataLoss;
      return absl::Status(
          code, absl::StrCat(where, ": tensor '", entry.name(), "': ", t.status().message()));
    }
    if (!tensors.emplace(entry.name(), *std::move(t)).second) {
      return absl::DataLossError(absl::StrCat(where, " has tensor '", entry.name(), "' twice"));
    }
  }
  return tensors;
}

absl::StatusOr<std::map<std::string, Tensor>> ReadCheckpoint(const std::string& path,
                                                             int64_t max_tensor_bytes) {
  // No valid checkpoint is larger (the payload is one protobuf message), so
  // a bigger file fails with ResourceExhausted before it is read.
  // ReadFileToString names the path in its errors.
  const int64_t max_file_bytes = kMinFileBytes + int64_t{std::numeric_limits<int>::max()};
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path, max_file_bytes));
  return DecodeCheckpoint(bytes, path, max_tensor_bytes);
}

absl::Status SaveCheckpoint(const Session& session, const std::string& path,
                            const std::vector<std::string>& variable_names) {
  std::vector<std::string> names = variable_names;
  if (names.empty()) {
    names = session.variables().Names();
  } else {
    for (const std::string& name : names) {
      const Node* node = session.graph().FindNode(name);
      if (node == nullptr || node->op() != kVariableOp) {
        return absl::NotFoundError(absl::StrCat("cannot save '", name, "' to ", Where(path),
                                                ": the graph has no variable (", kVariableOp,
                                                ") of that name"));
      }
    }
  }
  std::map<std::string, Tensor> tensors;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(tensors[name], session.variables().Read(name));
  }
  ASSIGN_OR_RETURN(std::string bytes, EncodeCheckpoint(tensors));
  return WriteFileAtomically(path, bytes);
}

absl::Status RestoreCheckpoint(Session& session, const std::string& path,
                               const std::vector<std::string>& variable_names) {
  const Graph& graph = session.graph();
  ASSIGN_OR_RETURN(auto tensors, ReadCheckpoint(path, graph.max_tensor_bytes()));
  const std::string where = Where(path);

  std::map<std::string, const Node*> graph_variables;
  for (const auto& node : graph.nodes()) {
    if (node->op() == kVariableOp) graph_variables[node->name()] = node.get();
  }
  std::set<std::string> to_restore;
  if (variable_names.empty()) {
    for (const auto& [name, t] : tensors) {
      if (graph_variables.count(name) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, " has tensor '", name, "', which is not a variable (", kVariableOp,
                         ") of the graph; was it saved from another graph?"));
      }
    }
    for (const auto& [name, node] : graph_variables) to_restore.insert(name);
  } else {
    for (const std::string& name : variable_names) {
      if (graph_variables.count(name) == 0) {
        return absl::NotFoundError(absl::StrCat("cannot restore '", name, "' from ", where,
                                                ": the graph has no variable (", kVariableOp,
                                                ") of that name"));
      }
      to_restore.insert(name);
    }
  }

  std::map<std::string, Tensor> values;
  for (const std::string& name : to_restore) {
    auto it = tensors.find(name);
    if (it == tensors.end()) {
      return absl::NotFoundError(absl::StrCat("variable '", name, "' of the graph is not in ",
                                              where, " (", tensors.size(), " tensors)"));
    }
    const Node& node = *graph_variables.at(name);
    ASSIGN_OR_RETURN(DataType dtype, GetTypeAttr(node.attrs(), "dtype"));
    ASSIGN_OR_RETURN(TensorShape shape, GetShapeAttr(node.attrs(), "shape"));
    Tensor& t = it->second;
    if (t.dtype() != dtype || !t.shape().IsCompatibleWith(shape)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": variable '", name, "' is ", Describe(dtype, shape),
                       " in the graph but ", Describe(t.dtype(), t.shape()), " in the checkpoint"));
    }
    values.emplace(name, std::move(t));  // The only holder: WriteAll need not copy it.
  }
  return session.variables().WriteAll(std::move(values));
}

}  // namespace rill

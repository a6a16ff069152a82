// Checkpoints: save a Session's variable values to one file and restore them
// into a Session built from the same graph (TensorFlow's Saver, in rill's own
// single-file format; SPEC §8.1 describes TF's multi-file V2 format, which
// rill does not write).
//
//   RETURN_IF_ERROR(session->Run({}, {}, {"init"}).status());
//   ... train or set variables ...
//   RETURN_IF_ERROR(SaveCheckpoint(*session, "model.ckpt"));
//   ASSIGN_OR_RETURN(auto fresh, Session::Create(graph));  // same graph
//   RETURN_IF_ERROR(RestoreCheckpoint(*fresh, "model.ckpt"));  // no init needed
//
// File format (version 1), all integers little-endian:
//
//   offset  size  field
//   0       8     magic "RILLCKPT"
//   8       4     format version (uint32) = 1
//   12      8     payload length N (uint64)
//   20      N     payload: a serialized rill.pb.Checkpoint (proto/checkpoint.proto):
//                 repeated NamedTensor {name, TensorProto}, sorted by name;
//                 each TensorProto has dtype, tensor_shape and tensor_content
//                 (raw little-endian row-major bytes; bools one byte each)
//   20+N    4     masked CRC32C (runtime/crc32c.h, TensorFlow's mask) of
//                 bytes [0, 20+N)
//
// The file size is therefore exactly 24 + N. The payload is limited to
// protobuf's 2 GiB message size. Files are written atomically (temp file in
// the same folder, fsync, rename), so a crash or kill during a save leaves
// the old checkpoint or the new one, never a torn file.
//
// Thread-safety: the functions may run concurrently with Session::Run. A save
// reads each variable's current value (a consistent snapshot per variable,
// not across variables while another thread assigns them); a restore
// replaces all values in one VariableStorage::WriteAll.
#ifndef RILL_RUNTIME_CHECKPOINT_H_
#define RILL_RUNTIME_CHECKPOINT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/tensor.h"
#include "runtime/session.h"

namespace rill {

constexpr char kCheckpointMagic[] = "RILLCKPT";  // 8 bytes, no terminator in the file.
constexpr uint32_t kCheckpointVersion = 1;
constexpr int kCheckpointHeaderBytes = 20;  // magic + version + payload length
constexpr int kCheckpointTrailerBytes = 4;  // masked CRC32C

// Encodes `tensors` (name -> value) as checkpoint file bytes.
// InvalidArgument for an empty name or an uninitialized or unsupported
// tensor; ResourceExhausted when the payload would exceed 2 GiB.
absl::StatusOr<std::string> EncodeCheckpoint(const std::map<std::string, Tensor>& tensors);

// Decodes checkpoint file bytes; `filename` only labels error messages.
// Every error names the file and is DataLoss: a short or over-long file, a
// wrong magic ("not a rill checkpoint"), a checksum mismatch, an
// unsupported format version, a payload that does not parse (protobuf size
// and recursion limits apply), an empty or duplicate name, or a tensor that
// does not decode — except ResourceExhausted for a tensor above
// `max_tensor_bytes`. Parsing never crashes on any input bytes.
absl::StatusOr<std::map<std::string, Tensor>> DecodeCheckpoint(
    const std::string& bytes, const std::string& filename,
    int64_t max_tensor_bytes = kDefaultMaxTensorBytes);

// Reads and decodes the checkpoint at `path`, for inspection. Errors as
// DecodeCheckpoint, plus those of ReadFileToString (NotFound for a missing
// file, ResourceExhausted for one above the 2 GiB + 24 bytes no checkpoint
// exceeds, ...), all naming the path.
absl::StatusOr<std::map<std::string, Tensor>> ReadCheckpoint(
    const std::string& path, int64_t max_tensor_bytes = kDefaultMaxTensorBytes);

// Saves variables of `session` to `path` (atomically; an existing file is
// replaced). With `variable_names` empty, saves every initialized variable;
// otherwise exactly the named ones. Errors: NotFound for a name that is not a
// VariableV2 node of session.graph(); FailedPrecondition ("Attempting to use
// uninitialized value v") for a named variable without a value; those of
// EncodeCheckpoint and WriteFileAtomically. On error `path` is untouched.
absl::Status SaveCheckpoint(const Session& session, const std::string& path,
                            const std::vector<std::string>& variable_names = {});

// Restores variables of `session` from `path`. With `variable_names` empty,
// every VariableV2 of session.graph() must be in the checkpoint and every
// checkpoint entry must be such a variable; otherwise exactly the named
// variables are restored (other checkpoint entries are ignored). Errors, all
// naming the file:
//  - those of ReadCheckpoint (DataLoss for a truncated or corrupted file,
//    NotFound for a missing one);
//  - NotFound: a variable to restore that the checkpoint lacks, or a name in
//    `variable_names` that is not a VariableV2 of the graph;
//  - InvalidArgument: a checkpoint entry that is not a VariableV2 of the graph
//    (full restore only), or one whose dtype or shape differs from the
//    variable's dtype/shape attrs (the message shows both).
// Everything is checked before any value is written: on error the Session's
// variables are unchanged.
absl::Status RestoreCheckpoint(Session& session, const std::string& path,
                               const std::vector<std::string>& variable_names = {});

}  // namespace rill

#endif  // RILL_RUNTIME_CHECKPOINT_H_

// NumPy .npy files: read and write single tensors.
//
// The format (numpy/lib/format.py): the magic "\x93NUMPY", a major and minor
// version byte, a little-endian header length (2 bytes in v1.0, 4 bytes in
// v2.0/v3.0), then a Python dict literal such as
//
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//
// padded with spaces and ended by '\n', then the raw element bytes.
//
//   ASSIGN_OR_RETURN(Tensor x, ReadNpyFile("x.npy"));
//   RETURN_IF_ERROR(WriteNpyFile("y.npy", y));
//
// Supported element types are the ones a rill Tensor holds, little-endian:
// '<f4' (float), '<f8' (double), '<i4' (int32), '<i8' (int64) and '|b1'
// (bool). Only C order (fortran_order False) is accepted. Reading accepts
// format versions 1.0, 2.0 and 3.0; writing produces 1.0, or 2.0 when the
// header does not fit in 65535 bytes.
//
// All functions are thread-safe. Parsing never crashes on any input bytes.
#ifndef RILL_RUNTIME_NPY_H_
#define RILL_RUNTIME_NPY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "graph/tensor.h"

namespace rill {

// The numpy descr string for a supported dtype ("<f4", "|b1", ...); "" for
// any other dtype.
std::string NpyDescr(DataType dtype);

// Decodes the bytes of a .npy file. Bool bytes other than 0 and 1 read as
// true. Errors, all prefixed "npy: ":
//  - InvalidArgument: bad magic, unsupported version, truncated header,
//    malformed or incomplete header dict, unsupported dtype ("unsupported
//    dtype '>f4' (big-endian)"), fortran_order True, a rank above kMaxRank,
//    an element count that overflows int64, or a data size that does not
//    match the header ("data has 20 bytes, expected 24 for shape (2, 3) and
//    dtype <f4");
//  - ResourceExhausted: the tensor would exceed `max_tensor_bytes` (checked
//    before the data size, so a huge claimed shape never allocates).
absl::StatusOr<Tensor> ParseNpy(const std::string& bytes,
                                int64_t max_tensor_bytes = kDefaultMaxTensorBytes);

// Reads and parses `path`. Errors as ParseNpy, plus those of
// ReadFileToString (NotFound for a missing file, ...); every message names
// the path.
absl::StatusOr<Tensor> ReadNpyFile(const std::string& path,
                                   int64_t max_tensor_bytes = kDefaultMaxTensorBytes);

// Encodes `t` in .npy format (v1.0, or v2.0 for a header above 65535 bytes),
// with the header padded so that the data starts at a multiple of 64 bytes,
// as numpy does. REQUIRES: t.initialized().
std::string EncodeNpy(const Tensor& t);

// Writes EncodeNpy(t) to `path` atomically (WriteFileAtomically).
// InvalidArgument for an uninitialized tensor; otherwise the errors of
// WriteFileAtomically.
absl::Status WriteNpyFile(const std::string& path, const Tensor& t);

}  // namespace rill

#endif  // RILL_RUNTIME_NPY_H_

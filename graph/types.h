// DataType helpers. rill uses TensorFlow's DataType enum (proto/types.proto)
// directly, so GraphDefs need no translation.
#ifndef RILL_GRAPH_TYPES_H_
#define RILL_GRAPH_TYPES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "proto/types.pb.h"

namespace rill {

using DataType = pb::DataType;
using pb::DT_BOOL;
using pb::DT_DOUBLE;
using pb::DT_FLOAT;
using pb::DT_INT32;
using pb::DT_INT64;
using pb::DT_INVALID;

// TensorFlow's DataTypeString: "float", "double", "int32", "float_ref", ...
std::string DataTypeString(DataType dt);

// Python's dtype names: "float32", "float64", "int32", "float32_ref".
std::string PythonDTypeName(DataType dt);

// Ref types (DT_X_REF = DT_X + 100) and their base types.
bool IsRefType(DataType dt);
DataType BaseType(DataType dt);
DataType MakeRefType(DataType dt);

// True for the dtypes rill can hold in a Tensor: float, double, int32, int64,
// bool (and their ref types).
bool IsSupportedDataType(DataType dt);
// Returns InvalidArgument naming the dtype when it is not supported.
absl::Status CheckSupportedDataType(DataType dt);

bool IsFloatingType(DataType dt);
bool IsIntegerType(DataType dt);

// Bytes per element of a supported dtype; 0 for unsupported ones.
int DataTypeSize(DataType dt);

// Maps C++ types to DataType: DataTypeOf<float>() == DT_FLOAT.
template <typename T>
constexpr DataType DataTypeOf();
template <>
constexpr DataType DataTypeOf<float>() { return DT_FLOAT; }
template <>
constexpr DataType DataTypeOf<double>() { return DT_DOUBLE; }
template <>
constexpr DataType DataTypeOf<int32_t>() { return DT_INT32; }
template <>
constexpr DataType DataTypeOf<int64_t>() { return DT_INT64; }
template <>
constexpr DataType DataTypeOf<bool>() { return DT_BOOL; }

}  // namespace rill

#endif  // RILL_GRAPH_TYPES_H_

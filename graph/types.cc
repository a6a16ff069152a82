#include "graph/types.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "graph/status_macros.h"

namespace rill {
namespace internal {
void CheckFailed(const char* file, int line, const char* cond) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, cond);
  std::abort();
}
}  // namespace internal

std::string DataTypeString(DataType dt) {
  if (IsRefType(dt)) return DataTypeString(BaseType(dt)) + "_ref";
  switch (dt) {
    case pb::DT_INVALID: return "INVALID";
    case pb::DT_FLOAT: return "float";
    case pb::DT_DOUBLE: return "double";
    case pb::DT_INT32: return "int32";
    case pb::DT_UINT8: return "uint8";
    case pb::DT_INT16: return "int16";
    case pb::DT_INT8: return "int8";
    case pb::DT_STRING: return "string";
    case pb::DT_COMPLEX64: return "complex64";
    case pb::DT_INT64: return "int64";
    case pb::DT_BOOL: return "bool";
    case pb::DT_QINT8: return "qint8";
    case pb::DT_QUINT8: return "quint8";
    case pb::DT_QINT32: return "qint32";
    case pb::DT_BFLOAT16: return "bfloat16";
    case pb::DT_QINT16: return "qint16";
    case pb::DT_QUINT16: return "quint16";
    case pb::DT_UINT16: return "uint16";
    case pb::DT_COMPLEX128: return "complex128";
    case pb::DT_HALF: return "half";
    case pb::DT_RESOURCE: return "resource";
    case pb::DT_VARIANT: return "variant";
    case pb::DT_UINT32: return "uint32";
    case pb::DT_UINT64: return "uint64";
    default: return absl::StrCat("unknown dtype enum (", static_cast<int>(dt), ")");
  }
}

std::string PythonDTypeName(DataType dt) {
  if (IsRefType(dt)) return PythonDTypeName(BaseType(dt)) + "_ref";
  if (dt == DT_FLOAT) return "float32";
  if (dt == DT_DOUBLE) return "float64";
  if (dt == pb::DT_HALF) return "float16";
  return DataTypeString(dt);
}

bool IsRefType(DataType dt) {
  int v = static_cast<int>(dt);
  return v > 100 && v <= 123;
}

DataType BaseType(DataType dt) {
  return IsRefType(dt) ? static_cast<DataType>(static_cast<int>(dt) - 100) : dt;
}

DataType MakeRefType(DataType dt) {
  return IsRefType(dt) ? dt : static_cast<DataType>(static_cast<int>(dt) + 100);
}

bool IsSupportedDataType(DataType dt) { return DataTypeSize(dt) > 0; }

absl::Status CheckSupportedDataType(DataType dt) {
  if (IsSupportedDataType(dt)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "Data type ", DataTypeString(dt),
      " is not supported by rill (supported: float, double, int32, int64, bool)"));
}

bool IsFloatingType(DataType dt) {
  dt = BaseType(dt);
  return dt == DT_FLOAT || dt == DT_DOUBLE || dt == pb::DT_HALF || dt == pb::DT_BFLOAT16;
}

bool IsIntegerType(DataType dt) {
  dt = BaseType(dt);
  return dt == DT_INT32 || dt == DT_INT64;
}

int DataTypeSize(DataType dt) {
  switch (BaseType(dt)) {
    case pb::DT_FLOAT: return 4;
    case pb::DT_DOUBLE: return 8;
    case pb::DT_INT32: return 4;
    case pb::DT_INT64: return 8;
    case pb::DT_BOOL: return 1;
    default: return 0;
  }
}

}  // namespace rill

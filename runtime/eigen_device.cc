#include "runtime/eigen_device.h"

#include <algorithm>

namespace rill {

EigenDevice::EigenDevice(int num_threads)
    : num_threads_(std::max(1, num_threads)),
      pool_(std::make_unique<Eigen::ThreadPool>(num_threads_)),
      device_(std::make_unique<Eigen::ThreadPoolDevice>(pool_.get(), num_threads_)) {}

EigenDevice::~EigenDevice() = default;

}  // namespace rill

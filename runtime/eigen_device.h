// An owned Eigen thread pool and device for kernels' contractions.
#ifndef RILL_RUNTIME_EIGEN_DEVICE_H_
#define RILL_RUNTIME_EIGEN_DEVICE_H_

#define EIGEN_USE_THREADS
#include <memory>

#include "unsupported/Eigen/CXX11/Tensor"
#include "unsupported/Eigen/CXX11/ThreadPool"

namespace rill {

// Owns a pool of `num_threads` (>= 1) threads and a device over it.
class EigenDevice {
 public:
  explicit EigenDevice(int num_threads);
  EigenDevice(const EigenDevice&) = delete;
  EigenDevice& operator=(const EigenDevice&) = delete;
  ~EigenDevice();

  const Eigen::ThreadPoolDevice& device() const { return *device_; }
  int num_threads() const { return num_threads_; }

 private:
  int num_threads_;
  std::unique_ptr<Eigen::ThreadPool> pool_;
  std::unique_ptr<Eigen::ThreadPoolDevice> device_;
};

}  // namespace rill

#endif  // RILL_RUNTIME_EIGEN_DEVICE_H_

// alloc_counter.hpp — counts heap allocations made through global operator new.
//
// tests/alloc_counter.cpp replaces every form of the global operator new/delete for the whole
// test binary. Counting is off until an AllocationCounter is alive on the current thread's
// scope; allocations from any thread (e.g. OpenMP workers) are counted while it is.
#pragma once

#include <cstdint>

namespace biornn_test {

class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;
  // Allocations since construction.
  int64_t count() const;

 private:
  int64_t start_;
};

}  // namespace biornn_test

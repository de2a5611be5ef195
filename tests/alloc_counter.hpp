// alloc_counter.hpp — counts heap allocations made through global operator new.
//
// tests/alloc_counter.cpp replaces every form of the global operator new/delete for the whole
// test binary. Counting is off until an AllocationCounter is alive on the current thread's
// scope; allocations from any thread (e.g. OpenMP workers) are counted while it is.
//
// Not in the ThreadSanitizer build (make tsan): clang's TSan runtime defines the same global
// operators, linked whole, so the two definitions collide at link time. That build leaves
// alloc_counter.cpp and test_tape_alloc.cpp out and defines BIORNN_NO_ALLOC_COUNTER, which
// compiles out every other test that counts allocations; the other builds run them all.
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

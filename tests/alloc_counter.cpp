// alloc_counter.cpp — replacement global operator new/delete that count allocations.
//
// All replaceable forms are defined (plain, array, nothrow, aligned) so that no allocation
// escapes the count; each forwards to malloc/aligned_alloc and free.
#include "alloc_counter.hpp"

// GCC sees our operator new return malloc's pointer and our operator delete call free on it,
// inlines both into the test below and warns of a mismatch. For replacement operators that
// pair is exactly right, so the warning is a false positive here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

std::atomic<int64_t> g_allocations{0};
std::atomic<int> g_active{0};

void* counted_alloc(std::size_t size, std::size_t alignment) {
  if (g_active.load(std::memory_order_relaxed) > 0) g_allocations.fetch_add(1);
  if (size == 0) size = 1;
  void* p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(size);
  } else {
    const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
    p = std::aligned_alloc(alignment, rounded);
  }
  return p;
}

void* counted_alloc_or_throw(std::size_t size, std::size_t alignment) {
  void* p = counted_alloc(size, alignment);
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  if (p == nullptr) throw std::bad_alloc();
#else
  if (p == nullptr) std::abort();  // -fno-exceptions (make EMBED=1): what operator new does there
#endif
  return p;
}

}  // namespace

namespace biornn_test {

AllocationCounter::AllocationCounter() : start_(g_allocations.load()) { g_active.fetch_add(1); }
AllocationCounter::~AllocationCounter() { g_active.fetch_sub(1); }
int64_t AllocationCounter::count() const { return g_allocations.load() - start_; }

}  // namespace biornn_test

void* operator new(std::size_t size) { return counted_alloc_or_throw(size, 0); }
void* operator new[](std::size_t size) { return counted_alloc_or_throw(size, 0); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_alloc(size, 0); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_alloc(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) {
  return counted_alloc_or_throw(size, std::size_t(a));
}
void* operator new[](std::size_t size, std::align_val_t a) {
  return counted_alloc_or_throw(size, std::size_t(a));
}
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc(size, std::size_t(a));
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc(size, std::size_t(a));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

// The counter's own test: it must see allocations inside its scope and none outside, or the
// "allocates nothing" tests that rely on it would prove nothing.
#include "doctest/doctest.h"

#include <memory>
#include <vector>

TEST_CASE("the allocation counter sees new, new[], aligned new and vector growth in its scope only") {
  auto outside = std::make_unique<int>(1);  // not counted: no counter alive
  biornn_test::AllocationCounter counter;
  CHECK(counter.count() == 0);
  auto one = std::make_unique<int>(2);
  CHECK(counter.count() == 1);
  auto many = std::make_unique<double[]>(16);
  CHECK(counter.count() == 2);
  struct alignas(64) Wide {
    char bytes[64];
  };
  auto wide = std::make_unique<Wide>();
  CHECK(counter.count() == 3);
  std::vector<int> grows;
  grows.push_back(1);
  CHECK(counter.count() == 4);
  grows.clear();
  grows.push_back(2);  // capacity kept: no new allocation
  CHECK(counter.count() == 4);
}

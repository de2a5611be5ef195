// check.cpp — the single place a broken contract is reported (see check.hpp).
#include "biornn/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace biornn {

void contract_failure(const char* file, int line, const char* condition,
                      const std::string& explanation) {
  std::string message = "biornn contract violated: " + explanation + " [check `" +
                        condition + "` at " + file + ":" + std::to_string(line) + "]";
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  throw ContractViolation(message);
#else
  std::fprintf(stderr, "%s\n", message.c_str());
  std::abort();
#endif
}

}  // namespace biornn

// check.hpp — always-on contract checks for programming errors.
//
// A contract is something the *caller* promised: matching shapes, an index in range, a valid
// CSR pattern. Breaking one is a bug in the calling code, not bad user data, so it is never
// turned into a Status. BIORNN_CHECK stays on in release builds (the checks sit at public
// boundaries, outside inner loops, so they cost nothing measurable).
//
// A failed check throws biornn::ContractViolation whose message names the file, line, the
// failed condition and a caller-supplied explanation (for shapes: both shapes). Tests catch it
// with CHECK_THROWS_AS; no test relies on a crash. In a build without exceptions
// (-fno-exceptions) the message is printed to stderr and the process aborts.
//
// Not here: recoverable errors caused by input data — those are Status (status.hpp).
#pragma once

#include <stdexcept>
#include <string>

namespace biornn {

class ContractViolation : public std::logic_error {
 public:
  explicit ContractViolation(const std::string& what) : std::logic_error(what) {}
};

// Reports a broken contract. Never returns.
[[noreturn]] void contract_failure(const char* file, int line, const char* condition,
                                   const std::string& explanation);

}  // namespace biornn

// BIORNN_CHECK(cond, explanation): `explanation` is any expression convertible to std::string;
// it is evaluated only when the check fails, so building a message with shape strings is free
// on the success path.
#define BIORNN_CHECK(cond, explanation)                                          \
  do {                                                                           \
    if (!(cond)) ::biornn::contract_failure(__FILE__, __LINE__, #cond, (explanation)); \
  } while (0)

// status.hpp — recoverable errors: what went wrong with the user's data, and how to fix it.
//
// Functions that read files, parse configs or validate user-supplied arrays return a Status
// (or a StatusOr<T>) instead of throwing or aborting: the library never stops the process
// because of bad data. A good message says what was expected, what was found, where (file,
// line, field, byte offset) and, when it is not obvious, how to fix it, e.g.
//   "mnist/train-images-idx3-ubyte: expected magic 0x00000803 (IDX, unsigned byte, 3 dims),
//    found 0x00000801 at byte 0 — is this a labels file?"
//
// Not here: programming errors (mismatched shapes passed by code) — those are contracts
// (check.hpp).
#pragma once

#include <string>
#include <utility>

#include "biornn/check.hpp"

namespace biornn {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // a value the caller supplied is out of its domain
  kNotFound,           // a file, key or population that should exist does not
  kIoError,            // the operating system refused a read or write
  kCorrupt,            // a file exists but its contents are malformed or truncated
  kUnsupported,        // well-formed input that this build does not handle
  kResourceExhausted,  // a size that would not fit in memory or in an index type
  kCancelled,          // the work was stopped on request (e.g. SIGINT); state was saved
  kNumericalFailure,   // a computation produced NaN or infinity (e.g. a diverging loss)
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "<code name>: <message>", or "ok".
  std::string to_string() const;

  // Prefixes the message with where it happened ("reading config.toml: ..."); no-op when ok.
  Status with_context(const std::string& where) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Convenience constructors: `return invalid_argument("...")`.
inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
inline Status unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status resource_exhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}

// Either a value or an error Status. Reading the value of an error is a contract violation.
template <class T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)), has_value_(true) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {               // NOLINT: implicit by design
    BIORNN_CHECK(!status_.ok(), "StatusOr built from an ok Status carries no value");
  }

  bool ok() const { return has_value_; }
  const Status& status() const { return status_; }

  T& value() & {
    BIORNN_CHECK(has_value_, "value() of a failed StatusOr: " + status_.to_string());
    return value_;
  }
  const T& value() const& {
    BIORNN_CHECK(has_value_, "value() of a failed StatusOr: " + status_.to_string());
    return value_;
  }
  T&& value() && {
    BIORNN_CHECK(has_value_, "value() of a failed StatusOr: " + status_.to_string());
    return std::move(value_);
  }

 private:
  Status status_;
  T value_{};
  bool has_value_ = false;
};

}  // namespace biornn

// Returns early from a function returning Status (or StatusOr) when `expr` is not ok.
#define BIORNN_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::biornn::Status biornn_status_ = (expr); \
    if (!biornn_status_.ok()) return biornn_status_; \
  } while (0)

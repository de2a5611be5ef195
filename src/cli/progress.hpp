// progress.hpp — progress output for long commands, on stderr.
//
// On a terminal: one line redrawn in place, "[#####.....] epoch 12/100  test 3.1e-3  ETA 0:41".
// Otherwise (a log file, CI): one plain line per epoch, so logs stay readable.
#pragma once

#include <chrono>
#include <string>

#include "biornn/run.hpp"

namespace biornn::cli {

class Progress {
 public:
  // `total` epochs in all, `done` already finished (when resuming).
  Progress(int32_t total, int32_t done, bool enabled, bool terminal);
  void epoch_done(const EpochRecord& r);
  void finish();  // ends the redrawn line

 private:
  int32_t total_, started_at_;
  bool enabled_, terminal_, drew_ = false;
  std::chrono::steady_clock::time_point start_;
};

// "1:05:09", "0:41": hours only when needed.
std::string format_duration(double seconds);

}  // namespace biornn::cli

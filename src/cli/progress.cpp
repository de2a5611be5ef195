// progress.cpp — the epoch progress bar / log lines (see progress.hpp).
#include "cli/progress.hpp"

#include <cmath>
#include <cstdio>

namespace biornn::cli {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long total = long(std::lround(seconds));
  char buffer[32];
  if (total >= 3600) std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
  else std::snprintf(buffer, sizeof buffer, "%ld:%02ld", total / 60, total % 60);
  return buffer;
}

Progress::Progress(int32_t total, int32_t done, bool enabled, bool terminal)
    : total_(total), started_at_(done), enabled_(enabled), terminal_(terminal),
      start_(std::chrono::steady_clock::now()) {}

void Progress::epoch_done(const EpochRecord& r) {
  if (!enabled_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int32_t done_here = r.epoch - started_at_;
  const double eta = done_here > 0 ? elapsed / done_here * (total_ - r.epoch) : 0;
  char metrics[96];
  if (r.test_accuracy >= 0)
    std::snprintf(metrics, sizeof metrics, "train %.4g  test %.4g  acc %.2f%%", r.train_loss, r.test_loss, 100 * r.test_accuracy);
  else
    std::snprintf(metrics, sizeof metrics, "train %.4g  test %.4g", r.train_loss, r.test_loss);
  if (terminal_) {
    const int width = 24;
    const int filled = total_ > 0 ? int(double(width) * r.epoch / total_) : width;
    std::string bar(std::size_t(filled), '#');
    bar.resize(std::size_t(width), '.');
    std::fprintf(stderr, "\r[%s] epoch %d/%d  %s  %.2fs/epoch  ETA %s   ", bar.c_str(), r.epoch, total_, metrics,
                 r.seconds, format_duration(eta).c_str());
    drew_ = true;
  } else {
    std::fprintf(stderr, "epoch %d/%d  %s  %.3fs  ETA %s\n", r.epoch, total_, metrics, r.seconds,
                 format_duration(eta).c_str());
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (enabled_ && terminal_ && drew_) std::fprintf(stderr, "\n");
  drew_ = false;
}

}  // namespace biornn::cli

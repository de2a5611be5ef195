// tasks_mnist.cpp — sequential MNIST from the standard IDX files (SPEC §3): each 28×28 image
// becomes 28 steps of 28 pixels (one row per step), scaled by 1/255; the label is the class.
// Plain or gzip-compressed files are found by name (file.gz is tried when file is absent).
#include "biornn/fileio.hpp"
#include "biornn/idx.hpp"
#include "biornn/tasks.hpp"

namespace biornn {

namespace {

// "<dir>/<stem>" if it exists, else "<dir>/<stem>.gz" if that exists, else an error naming both.
StatusOr<std::string> find_idx_file(const std::string& dir, const std::string& stem) {
  const std::string plain = join_path(dir, stem), gz = plain + ".gz";
  if (file_exists(plain)) return plain;
  if (file_exists(gz)) return gz;
  return not_found("sequential MNIST: neither " + plain + " nor " + gz + " exists");
}

StatusOr<SequenceData> load_split(const std::string& dir, const std::string& images_stem,
                                  const std::string& labels_stem, int32_t limit) {
  StatusOr<std::string> images_path = find_idx_file(dir, images_stem);
  if (!images_path.ok()) return images_path.status();
  StatusOr<std::string> labels_path = find_idx_file(dir, labels_stem);
  if (!labels_path.ok()) return labels_path.status();
  StatusOr<IdxImages> images = load_idx_images(images_path.value());
  if (!images.ok()) return images.status();
  StatusOr<std::vector<uint8_t>> labels = load_idx_labels(labels_path.value(), 10);
  if (!labels.ok()) return labels.status();
  BIORNN_RETURN_IF_ERROR(check_mnist_pair(images.value(), labels.value(), images_path.value(), labels_path.value()));
  const IdxImages& im = images.value();
  if (im.rows < 1 || im.cols < 1 || im.count < 1)
    return corrupt(images_path.value() + ": expected at least one image of at least 1×1 pixels, found " +
                   std::to_string(im.count) + " images of " + std::to_string(im.rows) + "×" + std::to_string(im.cols));
  const int32_t n = limit > 0 && limit < im.count ? limit : im.count;
  SequenceData d;
  d.steps = im.rows;
  d.inputs = im.cols;
  d.outputs = 10;
  // Pixels stay bytes (a quarter of the memory); gather_batch scales them by 1/255.
  d.x_bytes.assign(im.pixels.begin(), im.pixels.begin() + int64_t(n) * im.rows * im.cols);
  d.x_byte_scale = real(1) / real(255);
  d.labels.assign(labels.value().begin(), labels.value().begin() + n);
  return d;
}

}  // namespace

StatusOr<TaskData> load_seqmnist(const std::string& dir, const SeqMnistOptions& options) {
  if (!directory_exists(dir)) return not_found("sequential MNIST: data directory " + dir + " does not exist");
  StatusOr<SequenceData> train = load_split(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", options.train_limit);
  if (!train.ok()) return train.status();
  StatusOr<SequenceData> test = load_split(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", options.test_limit);
  if (!test.ok()) return test.status();
  if (train.value().steps != test.value().steps || train.value().inputs != test.value().inputs)
    return corrupt("sequential MNIST: training images are " + std::to_string(train.value().steps) + "×" +
                   std::to_string(train.value().inputs) + " but test images are " +
                   std::to_string(test.value().steps) + "×" + std::to_string(test.value().inputs));
  TaskData t;
  t.kind = TaskKind::kSeqMnist;
  t.train = std::move(train.value());
  t.test = std::move(test.value());
  t.description = "sequential MNIST from " + dir + ": " + std::to_string(t.train.size()) + " train / " +
                  std::to_string(t.test.size()) + " test images, " + std::to_string(t.train.steps) +
                  " steps of " + std::to_string(t.train.inputs) + " pixels";
  return t;
}

}  // namespace biornn

// fileio.cpp — whole-file reads, atomic writes (temp + fsync + rename), mkdir -p, CRC-32.
//
// The only file of the library that calls POSIX file APIs (open, read, write, fsync, rename,
// mkdir, stat). Messages name the path, what was attempted, the errno name and, where it
// helps, what to do about it (see fileio.hpp).
//
// CRC-32 follows the description in RFC 1952 §8 (reflected polynomial 0xEDB88320), sped up
// with eight tables so that eight input bytes are folded in per step ("slicing by 8");
// crc32_bytewise in the tests is the one-table reference it is checked against.
#include "biornn/fileio.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace biornn {
namespace {

// "EACCES: Permission denied".
std::string errno_text(int err) {
  const char* name = nullptr;
  switch (err) {
    case EACCES: name = "EACCES"; break;
    case EPERM: name = "EPERM"; break;
    case ENOENT: name = "ENOENT"; break;
    case ENOTDIR: name = "ENOTDIR"; break;
    case EISDIR: name = "EISDIR"; break;
    case EEXIST: name = "EEXIST"; break;
    case EROFS: name = "EROFS"; break;
    case ENOSPC: name = "ENOSPC"; break;
    case EDQUOT: name = "EDQUOT"; break;
    case EFBIG: name = "EFBIG"; break;
    case EIO: name = "EIO"; break;
    case ENAMETOOLONG: name = "ENAMETOOLONG"; break;
    case ELOOP: name = "ELOOP"; break;
    case EMFILE: name = "EMFILE"; break;
    default: break;
  }
  std::string text = name ? std::string(name) + ": " : "errno " + std::to_string(err) + ": ";
  return text + std::strerror(err);
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string working_directory() {
  char buffer[4096];
  if (::getcwd(buffer, sizeof buffer) == nullptr) return "?";
  return buffer;
}

// The directory part of `path` ("." when there is none, "/" for "/name").
std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Why creating or writing a file in `dir` failed, and what to do.
std::string write_failure_advice(int err, const std::string& dir) {
  switch (err) {
    case EACCES:
    case EPERM:
      return " — the directory " + quoted(dir) +
             " is not writable by this user; choose another output directory or fix its "
             "permissions";
    case EROFS:
      return " — " + quoted(dir) + " is on a read-only file system; choose another output "
             "directory";
    case ENOSPC:
    case EDQUOT:
      return " — the disk (or quota) holding " + quoted(dir) +
             " is full; free some space and try again";
    case EFBIG:
      return " — the file size limit of this process or file system was reached (ulimit -f)";
    default: return "";
  }
}

// Writes all `size` bytes to `fd`; on failure returns errno and sets *written to what got out.
int write_all(int fd, const uint8_t* data, std::size_t size, std::size_t* written) {
  std::size_t done = 0;
  while (done < size) {
    const std::size_t chunk = std::min<std::size_t>(size - done, std::size_t(1) << 30);
    const ssize_t n = ::write(fd, data + done, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      *written = done;
      return errno;
    }
    if (n == 0) {  // a write that makes no progress: treat as a full device
      *written = done;
      return ENOSPC;
    }
    done += std::size_t(n);
  }
  *written = done;
  return 0;
}

// Creates a fresh temporary file next to `path`; returns its descriptor or -1 with errno set.
int create_temp_beside(const std::string& path, std::string* temp_path) {
  static std::atomic<unsigned> counter{0};
  const std::string dir = parent_directory(path);
  const std::string stem = dir + "/." + path_basename(path) + ".tmp-" +
                           std::to_string(long(::getpid())) + "-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    *temp_path = stem + std::to_string(counter.fetch_add(1));
    const int fd = ::open(temp_path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;  // errno is EEXIST
}

// fsync of the directory makes the rename itself durable. File systems that cannot sync a
// directory answer EINVAL (or EBADF/EROFS); that is not an error of ours.
int sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (fd < 0) return 0;
  int err = 0;
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EBADF && errno != EROFS) err = errno;
  ::close(fd);
  return err;
}

// Checks that the directory `path` would be created in exists, for a clear message.
Status check_target(const std::string& path) {
  const std::string dir = parent_directory(path);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT)
      return not_found("cannot write " + quoted(path) + ": the directory " + quoted(dir) +
                       " does not exist (working directory " + quoted(working_directory()) +
                       ") — create it first or fix the path");
    return io_error("cannot write " + quoted(path) + ": cannot access the directory " +
                    quoted(dir) + " (" + errno_text(err) + ")");
  }
  if (!S_ISDIR(st.st_mode))
    return io_error("cannot write " + quoted(path) + ": " + quoted(dir) +
                    " exists but is not a directory");
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return io_error("cannot write " + quoted(path) +
                    ": a directory of that name exists; expected a file name");
  return Status();
}

}  // namespace

StatusOr<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT)
      return not_found("cannot read " + quoted(path) + ": no such file (working directory " +
                       quoted(working_directory()) + ")");
    return io_error("cannot open " + quoted(path) + " for reading (" + errno_text(err) + ")");
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const bool is_dir = S_ISDIR(st.st_mode);
    const int err = errno;
    ::close(fd);
    if (is_dir) return io_error("cannot read " + quoted(path) + ": it is a directory, expected a file");
    return io_error("cannot stat " + quoted(path) + " (" + errno_text(err) + ")");
  }
  const uint64_t limit = std::min<uint64_t>(max_bytes, uint64_t(SIZE_MAX) - 1);
  auto too_large = [&](const std::string& found) {
    return resource_exhausted("cannot read " + quoted(path) + ": it is " + found +
                              ", more than the limit of " + std::to_string(limit) +
                              " bytes — is this the right file? (the caller sets the limit)");
  };
  if (S_ISREG(st.st_mode) && uint64_t(st.st_size) > limit) {
    ::close(fd);
    return too_large(std::to_string(uint64_t(st.st_size)) + " bytes");
  }
  // One byte more than the expected size, so the end of file is seen without growing.
  std::vector<uint8_t> out(S_ISREG(st.st_mode) ? std::size_t(st.st_size) + 1 : 65536);
  std::size_t n = 0;
  for (;;) {
    if (n == out.size()) {
      if (n > limit) break;
      out.resize(std::size_t(std::min<uint64_t>(uint64_t(n) * 2, limit + 1)));
    }
    const ssize_t got = ::read(fd, out.data() + n, out.size() - n);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return io_error("read error in " + quoted(path) + " after " + std::to_string(n) +
                      " bytes (" + errno_text(err) + ")");
    }
    if (got == 0) break;
    n += std::size_t(got);
  }
  ::close(fd);
  if (n > limit) return too_large("more than " + std::to_string(limit) + " bytes");
  out.resize(n);
  return out;
}

Status write_file_atomic(const std::string& path, const uint8_t* data, std::size_t size) {
  if (path.empty()) return invalid_argument("write_file_atomic: the path is empty");
  BIORNN_CHECK(data != nullptr || size == 0, "write_file_atomic: null data with nonzero size");
  BIORNN_RETURN_IF_ERROR(check_target(path));
  const std::string dir = parent_directory(path);
  struct stat old;
  const bool replacing = ::stat(path.c_str(), &old) == 0;
  const std::string unchanged =
      replacing ? "; the existing " + quoted(path) + " is unchanged" : "; nothing was written";

  std::string temp;
  const int fd = create_temp_beside(path, &temp);
  if (fd < 0) {
    const int err = errno;
    return io_error("cannot write " + quoted(path) + ": cannot create a temporary file in " +
                    quoted(dir) + " (" + errno_text(err) + ")" + write_failure_advice(err, dir) +
                    unchanged);
  }
  // A replaced file keeps its permissions; a new one gets 0666 minus the umask from open().
  if (replacing && S_ISREG(old.st_mode)) (void)::fchmod(fd, old.st_mode & 07777);

  auto fail = [&](const std::string& what, int err) {
    ::close(fd);
    ::unlink(temp.c_str());
    return io_error("cannot write " + quoted(path) + ": " + what + " (" + errno_text(err) + ")" +
                    write_failure_advice(err, dir) + unchanged);
  };
  std::size_t written = 0;
  if (const int err = write_all(fd, data, size, &written))
    return fail("only " + std::to_string(written) + " of " + std::to_string(size) +
                    " bytes could be written",
                err);
  if (::fsync(fd) != 0) return fail("flushing to disk (fsync) failed", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return io_error("cannot write " + quoted(path) + ": closing the temporary file failed (" +
                    errno_text(err) + ")" + write_failure_advice(err, dir) + unchanged);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return io_error("cannot write " + quoted(path) + ": renaming the temporary file over it "
                    "failed (" + errno_text(err) + ")" + unchanged);
  }
  if (const int err = sync_directory(dir))
    return io_error("wrote " + quoted(path) + " but flushing its directory " + quoted(dir) +
                    " failed (" + errno_text(err) + "); the file may not survive a power loss");
  return Status();
}

Status write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  return write_file_atomic(path, bytes.data(), bytes.size());
}

Status write_file_atomic(const std::string& path, const std::string& text) {
  return write_file_atomic(path, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

Status make_directories(const std::string& path) {
  if (path.empty()) return invalid_argument("make_directories: the path is empty");
  std::size_t end = 0;
  while (end != std::string::npos) {
    end = path.find('/', end + 1);
    const std::string prefix = path.substr(0, end);
    if (prefix.empty() || prefix.back() == '/') continue;  // "//" or the root
    if (::mkdir(prefix.c_str(), 0777) == 0) continue;
    const int err = errno;
    if (err == EEXIST || err == EACCES || err == EROFS) {
      if (directory_exists(prefix)) continue;
      if (err == EEXIST)
        return io_error("cannot create the directory " + quoted(path) + ": " + quoted(prefix) +
                        " exists and is not a directory");
    }
    return io_error("cannot create the directory " + quoted(prefix) + " (" + errno_text(err) +
                    ")" + write_failure_advice(err, parent_directory(prefix)));
  }
  return Status();
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool directory_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty() || (!b.empty() && b[0] == '/')) return b;
  if (b.empty()) return a;
  return a.back() == '/' ? a + b : a + "/" + b;
}

std::string path_basename(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ---- CRC-32 ----------------------------------------------------------------------------------

namespace {

using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

// table[0] is the classic one-byte table; table[k][b] is the CRC of byte b followed by k zero
// bytes, which lets eight bytes be folded in with eight independent lookups.
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][b] = c;
  }
  for (int k = 1; k < 8; ++k)
    for (uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFu];
  return t;
}

constexpr CrcTables kCrcTables = make_crc_tables();

inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

uint32_t crc32(const uint8_t* data, std::size_t size, uint32_t crc) {
  const auto& t = kCrcTables;
  uint32_t c = ~crc;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    const uint32_t a = c ^ load_le32(data + i);
    const uint32_t b = load_le32(data + i + 4);
    c = t[7][a & 0xFF] ^ t[6][(a >> 8) & 0xFF] ^ t[5][(a >> 16) & 0xFF] ^ t[4][a >> 24] ^
        t[3][b & 0xFF] ^ t[2][(b >> 8) & 0xFF] ^ t[1][(b >> 16) & 0xFF] ^ t[0][b >> 24];
  }
  for (; i < size; ++i) c = t[0][(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return ~c;
}

}  // namespace biornn

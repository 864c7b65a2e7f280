#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sg {
namespace {

namespace fs = std::filesystem;

std::runtime_error io_error(const std::string& what, const std::string& path, int err) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(err));
}

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw io_error("cannot open", path, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw io_error("fsync", path, err);
}

// Where a write to `path` goes. A symlink is followed to the file it names, so that the link stays a link
// (e.g. a report path pointing into a web root); a device, FIFO or socket (/dev/null, a pipe a reader waits
// on) is written in place, because renaming a new file over it would replace the node itself.
struct Target {
  std::string path;
  bool direct = false;  // open and write the path itself, no temporary and no rename
};

Target resolve(const std::string& path) {
  std::string at = path;
  for (int hops = 0;; ++hops) {
    struct stat ls {};
    if (::lstat(at.c_str(), &ls) != 0) {
      if (errno == ENOENT) return {at, false};  // a new file (or a dangling link's target)
      throw io_error("cannot write", path, errno);
    }
    if (S_ISDIR(ls.st_mode)) throw io_error("cannot write", path, EISDIR);
    if (!S_ISLNK(ls.st_mode)) return {at, !S_ISREG(ls.st_mode)};
    if (hops == 40) throw io_error("cannot write", path, ELOOP);
    std::error_code ec;
    fs::path parent = fs::path(at).parent_path();
    fs::path real_parent = fs::canonical(parent.empty() ? fs::path(".") : parent, ec);
    // /dev/stdout, /dev/fd/N: a descriptor of this process, whatever it points at (a pipe's "pipe:[N]" is
    // no path): open the link itself, as a shell redirection would.
    if (!ec && real_parent.string().starts_with("/proc/")) return {at, true};
    fs::path next = fs::read_symlink(at, ec);
    if (ec) throw std::runtime_error("cannot write " + path + ": " + ec.message());
    at = (next.is_relative() ? (real_parent.empty() ? parent : real_parent) / next : next).string();
  }
}

void write_all(int fd, const std::string& text, const std::string& name) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw io_error("cannot write", name, n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
}

void write_text_in_place(const std::string& path, const std::string& text) {
  struct stat st {};
  const bool regular = ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (regular ? O_TRUNC : 0));
  if (fd < 0) throw io_error("cannot open", path, errno);
  try {
    write_all(fd, text, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw io_error("cannot write", path, errno);
}

}  // namespace

AtomicFile::AtomicFile(const std::string& path, mode_t mode) : path_(path) {
  const Target t = resolve(path);
  target_ = t.path;
  direct_ = t.direct;
  if (direct_) return;
  fs::path target(target_);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // Hidden and in the same directory: rename() is atomic there, and directory scans skip it.
  tmp_ = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(tmp_.data());
  if (fd < 0) throw std::runtime_error("cannot create a temporary file beside " + path + ": " + std::strerror(errno));
  const bool mode_set = ::fchmod(fd, mode) == 0;  // mkstemp creates 0600
  const int err = errno;
  ::close(fd);
  if (!mode_set) {
    abandon();
    throw io_error("cannot set the permissions of", tmp_, err);
  }
}

AtomicFile::~AtomicFile() { abandon(); }

void AtomicFile::abandon() {
  if (!tmp_.empty()) std::remove(tmp_.c_str());
  tmp_.clear();
}

void AtomicFile::commit() {
  if (direct_) return;
  if (tmp_.empty()) throw std::runtime_error("cannot write " + path_ + ": already committed or abandoned");
  try {
    fsync_path(tmp_, O_RDONLY);
    if (std::rename(tmp_.c_str(), target_.c_str()) != 0) throw io_error("cannot rename onto", target_, errno);
  } catch (...) {
    abandon();
    throw;
  }
  tmp_.clear();
  fs::path target(target_);
  fsync_path((target.has_parent_path() ? target.parent_path() : fs::path(".")).string(), O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const std::string& path, const std::function<void(const std::string&)>& writer,
                           mode_t mode) {
  if (path == "-") {  // standard output: what stdio holds goes first
    if (std::fflush(stdout) != 0) throw io_error("cannot write", "standard output", errno);
    writer("/dev/stdout");
    return;
  }
  AtomicFile file(path, mode);
  writer(file.write_path());
  file.commit();
}

void write_text_atomically(const std::string& path, const std::string& text, mode_t mode) {
  if (path == "-") {
    if (std::fflush(stdout) != 0) throw io_error("cannot write", "standard output", errno);
    write_all(STDOUT_FILENO, text, "standard output");
    return;
  }
  if (const Target t = resolve(path); t.direct) return write_text_in_place(t.path, text);
  write_file_atomically(
      path,
      [&](const std::string& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) throw io_error("cannot write", tmp, errno);
      },
      mode);
}

}  // namespace sg

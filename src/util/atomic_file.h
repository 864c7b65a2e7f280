// Atomic replacement of a file (reports, exports, checkpoints, keys, scenario files, simulated captures): the
// writer fills a temporary in the target's directory, which is fsync'd and renamed over the target (then the
// directory is fsync'd), so readers see the old file or the new, never half.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace sg {

// One file written atomically, for writers that stream (a capture written frame by frame): construct, write
// to write_path(), commit(). A symlink at the target is followed to the file it names (the link stays a
// link); a device, FIFO or socket is written in place (write_path() is the target itself, commit() only
// returns). Errors name the file.
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path, mode_t mode = 0644);
  // Without commit() the temporary is removed and the target is left as it was.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& write_path() const { return direct_ ? target_ : tmp_; }
  // fsync the temporary, rename it onto the target, fsync the directory; on error the temporary is removed.
  void commit();
  // Removes the temporary now (a failed writer); the target stays as it was.
  void abandon();

 private:
  std::string path_, target_, tmp_;
  bool direct_ = false;
};

// `writer` fills the temporary (a hidden file beside `path`); the result gets permission bits `mode`.
// Errors name the file; on any error the temporary is removed and `path` is untouched.
void write_file_atomically(const std::string& path, const std::function<void(const std::string& tmp_path)>& writer,
                           mode_t mode = 0644);
void write_text_atomically(const std::string& path, const std::string& text, mode_t mode = 0644);

}  // namespace sg

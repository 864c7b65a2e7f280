// Atomic replacement of a file (reports, exports, checkpoints, keys, scenario files): the writer fills a temporary in the target's directory, which is fsync'd and
// renamed over the target (then the directory is fsync'd), so readers see the old file or the new, never half.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace sg {

// `writer` fills the temporary (a hidden file beside `path`); the result gets permission bits `mode`.
// Errors name the file; on any error the temporary is removed and `path` is untouched.
void write_file_atomically(const std::string& path, const std::function<void(const std::string& tmp_path)>& writer,
                           mode_t mode = 0644);
void write_text_atomically(const std::string& path, const std::string& text, mode_t mode = 0644);

}  // namespace sg

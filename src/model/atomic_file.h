// Atomic replacement of a file: the writer fills a temporary in the target's directory, which is fsync'd and
// renamed over the target (then the directory is fsync'd), so readers see the old file or the new, never half.
#pragma once

#include <functional>
#include <string>

namespace sg::model {

void write_file_atomically(const std::string& path, const std::function<void(const std::string& tmp_path)>& writer);

}  // namespace sg::model

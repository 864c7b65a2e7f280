// Display names of scanning organisations beside the slugs the label lists use ("shadowserver" →
// "Shadowserver Foundation"), so MISP and OpenCTI match the entities they already hold. A slug without an
// entry is its own display name.
#pragma once

#include <string>
#include <string_view>

namespace sg::intel {

std::string display_name(std::string_view org);

// The slug as a file or folder name: letters (lower-cased), digits, '-' and '_' kept, anything else '-',
// and a changed name suffixed with a digest of the original (organisation names come from label files,
// which may hold "../" or spaces; two names never map to one file).
std::string file_safe(std::string_view org);

}  // namespace sg::intel

// Name-based UUIDs (RFC 9562 version 5): the same organisation or ip gets the same STIX id in every
// export, so a consumer can update objects instead of piling up duplicates.
#pragma once

#include <string>
#include <string_view>

namespace sg {

// UUID v5 of `name` in the project's own namespace, lower-case 8-4-4-4-12 text.
std::string uuid_v5(std::string_view name);
// UUID v5 of `name` in the namespace given as UUID text (e.g. STIX's for cyber-observable ids).
std::string uuid_v5_in(std::string_view ns, std::string_view name);
// The same, in a namespace given as its 16 bytes.
std::string uuid_v5(std::string_view ns_bytes, std::string_view name);

}  // namespace sg

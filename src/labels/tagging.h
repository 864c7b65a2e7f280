// Search-engine tagging (ScannerGrouper paper, appendix A). An HTTP sensor answers each request with a
// Set-Cookie whose value is an AES-256-GCM sealed record: sensor id, time, record id and the scanner's IP.
// Search engines store the banners their scanners collect; when a tag turns up in a search engine's record
// of the sensor, opening it names the scanner IP that collected that banner, and when.
//
// The scanner IP is sealed into the tag (rather than kept only in the sensor's logs under the record id) so
// that a tag names its scanner on its own: sensor logs rotate and sensors are many, while the tag is
// already in the search engine's copy. GCM keeps it unreadable and unforgeable for anyone without the key.
//
// Wire form: base64url without padding (cookie-safe) of nonce(12) | ciphertext(38) | GCM tag(16) = 88
// characters. Plaintext: version(1)=1 | sensor(4) | time µs(8) | record(8) | family(1: 4 or 6) | ip(16),
// big-endian. The associated data "scannergrouper-tag-v1" binds tags to this use.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/packet.h"

namespace sg::labels {

using TagKey = std::array<uint8_t, 32>;

// 32 raw bytes, or 64 hex digits (whitespace around them ignored). Errors name the file, never the key.
TagKey load_tag_key(const std::string& path);
// A fresh random key written to `path` (mode 0600, temp file + fsync + rename) as 64 hex digits.
void write_new_tag_key(const std::string& path);

struct TagRecord {
  uint32_t sensor = 0;
  int64_t time_us = 0;
  uint64_t record = 0;
  IpAddr scanner;
  bool operator==(const TagRecord&) const = default;
};

constexpr size_t kTagChars = 88;

std::string make_tag(const TagKey& key, const TagRecord& rec);
// nullopt when the text is not a tag sealed with this key (wrong length, altered, other key).
std::optional<TagRecord> open_tag(const TagKey& key, std::string_view tag);

struct FoundTag {
  size_t offset = 0;  // byte offset in the text
  TagRecord record;
};
// Every verified tag in arbitrary text (an exported banner, a JSON record, a whole page).
std::vector<FoundTag> find_tags(const TagKey& key, std::string_view text);

}  // namespace sg::labels

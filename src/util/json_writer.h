// RapidJSON's streaming writer with two shortcuts that keep its comma/colon bookkeeping (Prefix, EndValue),
// so the text is byte for byte what String would write: a string the caller knows needs no escaping is
// copied whole instead of character by character through the escape table, and already-quoted text (a
// literal key, a string escaped elsewhere) is copied as it is.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>
#include <string_view>

namespace sg {

class JsonWriter : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  explicit JsonWriter(rapidjson::StringBuffer& out) : rapidjson::Writer<rapidjson::StringBuffer>(out) {}

  // `s` holds nothing JSON escapes (printable ASCII without '"' or '\\'): written between quotes.
  void plain_string(std::string_view s) {
    Prefix(rapidjson::kStringType);
    char* o = os_->Push(s.size() + 2);
    o[0] = '"';
    if (!s.empty()) std::memcpy(o + 1, s.data(), s.size());
    o[s.size() + 1] = '"';
    EndValue(true);
  }

  // `quoted` is a whole JSON string, quotes included: written as it is.
  [[gnu::always_inline]] void quoted_string(const char* quoted, size_t n) {
    Prefix(rapidjson::kStringType);
    std::memcpy(os_->Push(n), quoted, n);
    EndValue(true);
  }
};

}  // namespace sg

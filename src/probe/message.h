// Shared vocabulary of the per-protocol analyzers.
#pragma once

#include "util/bytes.h"

namespace sg {

// Whether a reassembled client stream prefix holds a whole first message yet.
enum class MessageState { need_more, complete, invalid };

// Parse outcome: `error` names the reason when the bytes could not be parsed; it is a static string used
// as a counter key in the skip summary (e.g. "tls.bad_extension_length").
struct ParseStatus {
  const char* error = nullptr;
  bool ok() const { return error == nullptr; }
};

}  // namespace sg

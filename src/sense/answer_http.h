// The HTTP answer: a plausible default page of a web server, the same for every request, so a scanner
// learns nothing it could not learn from any fresh nginx. Only the Set-Cookie (the tag) differs per answer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sg::sense {

// A whole HTTP/1.1 response, `Connection: close`. ok: 200 with the page; otherwise 400 (the client's bytes
// were not an HTTP request). set_cookie: the header's value, or empty for none. now_us: the Date header.
std::string http_answer(bool ok, std::string_view server, std::string_view set_cookie, int64_t now_us);

}  // namespace sg::sense

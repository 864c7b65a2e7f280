// HTTP/1.x request analyzer: bytes of the client stream -> HttpProbe.
#pragma once

#include "probe/match.h"
#include "probe/message.h"
#include "probe/probe.h"

namespace sg {

// yes: a method token (RFC 9110 tchar) followed by a space; methods are not limited to a fixed list
// because scanners send CONNECT, PROPFIND, RTSP verbs and made-up methods.
Match http_match(ByteView stream);
// complete at the end of the header block (CRLF CRLF, or bare LF LF), or at the end of a request line
// without a version (HTTP/0.9).
MessageState http_state(ByteView stream);
ParseStatus parse_http_request(ByteView stream, HttpProbe& out);

}  // namespace sg

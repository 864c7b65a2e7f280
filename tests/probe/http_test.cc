#include "probe/http.h"

#include <gtest/gtest.h>

#include "probe/proto_fixtures.h"

namespace sg {
namespace {

using test::Buf;
using test::bytes_of;
using test::view;

HttpProbe parse_ok(std::string_view text) {
  Buf b = bytes_of(text);
  HttpProbe h;
  ParseStatus st = parse_http_request(view(b), h);
  EXPECT_TRUE(st.ok()) << st.error << " for " << text;
  return h;
}

Match match(std::string_view text) {
  Buf b = bytes_of(text);
  return http_match(view(b));
}

MessageState state(std::string_view text) {
  Buf b = bytes_of(text);
  return http_state(view(b));
}

constexpr std::string_view kZgrab =
    "GET / HTTP/1.1\r\nHost: 1.2.3.4\r\nUser-Agent: Mozilla/5.0 zgrab/0.x\r\nAccept: */*\r\n"
    "Accept-Encoding: gzip\r\n\r\n";

TEST(HttpParse, ZgrabRequest) {
  HttpProbe h = parse_ok(kZgrab);
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.uri, "/");
  EXPECT_EQ(h.version, "HTTP/1.1");
  std::vector<std::pair<std::string, std::string>> want = {
      {"Host", "1.2.3.4"}, {"User-Agent", "Mozilla/5.0 zgrab/0.x"}, {"Accept", "*/*"}, {"Accept-Encoding", "gzip"}};
  EXPECT_EQ(h.headers, want);
  EXPECT_EQ(h.host, "1.2.3.4");
  EXPECT_EQ(h.user_agent, "Mozilla/5.0 zgrab/0.x");
  EXPECT_EQ(h.body_length, 0u);
  EXPECT_EQ(match(kZgrab), Match::yes);
  EXPECT_EQ(state(kZgrab), MessageState::complete);
}

TEST(HttpParse, Http09RequestLine) {
  HttpProbe h = parse_ok("GET /\r\n");
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.uri, "/");
  EXPECT_EQ(h.version, "");
  EXPECT_TRUE(h.headers.empty());
  EXPECT_FALSE(h.user_agent.has_value());
  EXPECT_FALSE(h.host.has_value());
  EXPECT_EQ(state("GET /\r\n"), MessageState::complete);
  EXPECT_EQ(state("GET /"), MessageState::need_more);
}

TEST(HttpParse, Http09BareLineFeedAndEmptyTarget) {
  // Zeek's http_09.pcap sends these three.
  EXPECT_EQ(parse_ok("GET /zeek.html\n").uri, "/zeek.html");
  EXPECT_EQ(parse_ok("POST /zeek.html\n").method, "POST");
  HttpProbe h = parse_ok("GET \n");
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.uri, "");
  EXPECT_EQ(h.version, "");
  EXPECT_EQ(state("GET \n"), MessageState::complete);
}

TEST(HttpParse, NoVersionLongQuery) {
  std::string_view req =
      "GET /cgi-bin/formmail.pl?email=f2@aol.com&subject=www-nrg.ee/cgi-bin/formmail.pl"
      "&recipient=unknownz@buy2save.com&msg=w00t\r\n";
  HttpProbe h = parse_ok(req);
  EXPECT_EQ(h.uri,
            "/cgi-bin/formmail.pl?email=f2@aol.com&subject=www-nrg.ee/cgi-bin/formmail.pl"
            "&recipient=unknownz@buy2save.com&msg=w00t");
  EXPECT_EQ(h.version, "");
}

TEST(HttpParse, BareLineFeedsAndEmptyUserAgent) {
  // Arkime's http-empty-useragent.pcap: an empty User-Agent is a value, not an absent header.
  constexpr std::string_view req = "GET / HTTP/1.0\nUser-Agent:\n\n";
  HttpProbe h = parse_ok(req);
  EXPECT_EQ(h.version, "HTTP/1.0");
  ASSERT_TRUE(h.user_agent.has_value());
  EXPECT_EQ(*h.user_agent, "");
  ASSERT_EQ(h.headers.size(), 1u);
  EXPECT_EQ(h.headers[0].first, "User-Agent");
  EXPECT_EQ(state(req), MessageState::complete);
  EXPECT_EQ(state("GET / HTTP/1.0\nUser-Agent:\n"), MessageState::need_more);
}

TEST(HttpParse, MixedLineEnds) {
  EXPECT_EQ(state("GET / HTTP/1.1\r\nHost: a\n\r\n"), MessageState::complete);
  EXPECT_EQ(state("GET / HTTP/1.1\nHost: a\r\n\n"), MessageState::complete);
  EXPECT_EQ(parse_ok("GET / HTTP/1.1\nHost: a\r\n\n").host, "a");
}

TEST(HttpParse, ConnectAuthorityForm) {
  HttpProbe h = parse_ok("CONNECT secure.newegg.com:443 HTTP/1.1\r\nHost: secure.newegg.com:443\r\n\r\n");
  EXPECT_EQ(h.method, "CONNECT");
  EXPECT_EQ(h.uri, "secure.newegg.com:443");
  EXPECT_EQ(h.version, "HTTP/1.1");
  EXPECT_EQ(h.host, "secure.newegg.com:443");
}

TEST(HttpParse, RtspOptions) {
  HttpProbe h = parse_ok("OPTIONS rtsp://10.0.0.1:554/ RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  EXPECT_EQ(h.method, "OPTIONS");
  EXPECT_EQ(h.uri, "rtsp://10.0.0.1:554/");
  EXPECT_EQ(h.version, "RTSP/1.0");
  EXPECT_EQ(h.headers.size(), 1u);
  HttpProbe d = parse_ok("DESCRIBE rtsp://10.0.0.1/live RTSP/1.0\r\nCSeq: 2\r\n\r\n");
  EXPECT_EQ(d.method, "DESCRIBE");
  EXPECT_EQ(d.version, "RTSP/1.0");
}

TEST(HttpParse, AnyTokenMethod) {
  EXPECT_EQ(parse_ok("CCM_POST / HTTP/1.1\nHost: www.google.com\n\n").method, "CCM_POST");
  EXPECT_EQ(parse_ok("PROPFIND /dav HTTP/1.1\r\n\r\n").method, "PROPFIND");
  EXPECT_EQ(parse_ok("X-M!#$%&'*+.^_`|~ / HTTP/1.1\r\n\r\n").method, "X-M!#$%&'*+.^_`|~");
  HttpProbe h = parse_ok("OPTIONS * HTTP/1.1\nHost: www.google.com\n\n");
  EXPECT_EQ(h.uri, "*");
  EXPECT_EQ(h.host, "www.google.com");
}

// Zeek's methods.pcap request lines with their expected reading.
TEST(HttpParse, OddRequestLines) {
  HttpProbe no_version = parse_ok("GET /HTTP/1.1\nHost: www.google.com\n\n");
  EXPECT_EQ(no_version.uri, "/HTTP/1.1");
  EXPECT_EQ(no_version.version, "");
  EXPECT_EQ(no_version.host, "www.google.com");  // a header block after a version-less line is still read

  HttpProbe short_version = parse_ok("GET / HTTP/1.\nHost: www.google.com\n\n");
  EXPECT_EQ(short_version.uri, "/");
  EXPECT_EQ(short_version.version, "HTTP/1.");
  EXPECT_EQ(short_version.host, "www.google.com");

  HttpProbe no_target = parse_ok("OPTIONS HTTP/1.1\nHost: www.google.com\n\n");
  EXPECT_EQ(no_target.method, "OPTIONS");
  EXPECT_EQ(no_target.uri, "");
  EXPECT_EQ(no_target.version, "HTTP/1.1");
  EXPECT_EQ(no_target.host, "www.google.com");

  HttpProbe spaced = parse_ok("GET /a b  HTTP/1.1\r\n\r\n");
  EXPECT_EQ(spaced.uri, "/a b");
  EXPECT_EQ(spaced.version, "HTTP/1.1");
  EXPECT_EQ(parse_ok("GET  /x   HTTP/1.0\r\n\r\n").uri, "/x");
  EXPECT_EQ(parse_ok("GET /a b\r\n").uri, "/a b");  // last token is no version: all of it is the target
}

// A request line without a version followed by more than whitespace is, as libhtp reads it ("Request line:
// missing protocol"), a request with a header block: Suricata logs its headers, the user agent included,
// and skips lines that are not headers as it does after any request line.
TEST(HttpParse, NoVersionFollowedByHeadersReadsThem) {
  constexpr std::string_view req =
      "GET /cgi-bin/test.cgi\r\nHost: a\r\nnot a header\r\nUser-Agent: Mozilla/5.0 (scan)\r\n\r\n";
  HttpProbe h = parse_ok(req);
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.uri, "/cgi-bin/test.cgi");
  EXPECT_EQ(h.version, "");  // absent, not guessed
  EXPECT_EQ(h.host, "a");
  EXPECT_EQ(h.user_agent, "Mozilla/5.0 (scan)");
  EXPECT_EQ(h.headers.size(), 2u);
  EXPECT_EQ(state(req), MessageState::complete);
  // The header block has begun: the message ends at its empty line, not at the request line.
  EXPECT_EQ(state("GET /cgi-bin/test.cgi\r\nHost: a\r\n"), MessageState::need_more);
  EXPECT_EQ(state("GET /x\nUser-Agent: y\n"), MessageState::need_more);
  HttpProbe first_not_header = parse_ok("GET /\nthis is not a header\nUser-Agent: x\n\n");
  EXPECT_EQ(first_not_header.user_agent, "x");
  EXPECT_EQ(first_not_header.headers.size(), 1u);
  HttpProbe post = parse_ok("POST /x\r\nContent-Length: 3\r\n\r\nabcdef");
  EXPECT_EQ(post.body_length, 3u);
}

TEST(HttpParse, NoVersionFollowedByWhitespaceOnlyIsHttp09) {
  for (std::string_view req : {"GET /\r\n", "GET /\r\n\r\n", "GET /\n \t\r\n"}) {
    HttpProbe h = parse_ok(req);
    EXPECT_EQ(h.uri, "/");
    EXPECT_TRUE(h.headers.empty());
    EXPECT_EQ(state(req), MessageState::complete);
  }
}

TEST(HttpParse, HeaderValuesTrimmedNamesAsSent) {
  HttpProbe h = parse_ok("GET / HTTP/1.1\r\nhost:   a.example \t\r\nX-Empty:\r\nX-Sp :  v\r\n\r\n");
  ASSERT_EQ(h.headers.size(), 3u);
  EXPECT_EQ(h.headers[0], std::make_pair(std::string("host"), std::string("a.example")));
  EXPECT_EQ(h.headers[1], std::make_pair(std::string("X-Empty"), std::string("")));
  EXPECT_EQ(h.headers[2], std::make_pair(std::string("X-Sp "), std::string("v")));
  EXPECT_EQ(h.host, "a.example");  // names compare case-insensitively
}

TEST(HttpParse, FirstUserAgentAndHostWin) {
  HttpProbe h = parse_ok("GET / HTTP/1.1\r\nuser-agent: first\r\nUser-Agent: second\r\nHOST: h1\r\nHost: h2\r\n\r\n");
  EXPECT_EQ(h.user_agent, "first");
  EXPECT_EQ(h.host, "h1");
  EXPECT_EQ(h.headers.size(), 4u);
}

TEST(HttpParse, ObsFoldAppends) {
  HttpProbe h = parse_ok("GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\n (X11;\r\n\t Linux)\r\nHost: a\r\n\r\n");
  EXPECT_EQ(h.user_agent, "Mozilla/5.0 (X11; Linux)");
  EXPECT_EQ(h.headers.size(), 2u);
  // A fold before any header has nothing to continue.
  EXPECT_TRUE(parse_ok("GET / HTTP/1.1\r\n folded\r\n\r\n").headers.empty());
}

TEST(HttpParse, LinesWithoutColonSkipped) {
  HttpProbe h = parse_ok("GET / HTTP/1.1\r\nnot a header\r\nHost: a\r\n\r\n");
  ASSERT_EQ(h.headers.size(), 1u);
  EXPECT_EQ(h.host, "a");
}

TEST(HttpParse, BodyLengthCappedByBytesPresent) {
  EXPECT_EQ(parse_ok("POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabcd").body_length, 4u);
  EXPECT_EQ(parse_ok("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcdefghij").body_length, 3u);
  EXPECT_EQ(parse_ok("POST /x HTTP/1.1\r\ncontent-length:  5 \r\n\r\nabcdefghij").body_length, 5u);
  EXPECT_EQ(parse_ok("POST /x HTTP/1.1\r\n\r\nabcdefghij").body_length, 0u);
  EXPECT_EQ(parse_ok("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\nabc").body_length, 0u);
  EXPECT_EQ(parse_ok("POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\nabc").body_length, 3u);
  EXPECT_EQ(parse_ok("POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n").body_length, 0u);
}

TEST(HttpParse, HeaderCountCapped) {
  std::string req = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 300; ++i) req += "X-" + std::to_string(i) + ": v\r\n";
  req += "User-Agent: late\r\n\r\n";
  HttpProbe h = parse_ok(req);
  EXPECT_EQ(h.headers.size(), 256u);
  EXPECT_EQ(h.headers.back().first, "X-255");
  EXPECT_FALSE(h.user_agent.has_value());
  EXPECT_EQ(state(req), MessageState::complete);
}

TEST(HttpParse, TruncatedMessageKeepsWhatArrived) {
  HttpProbe h = parse_ok("GET /index.html HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozi");
  EXPECT_EQ(h.host, "a");
  EXPECT_FALSE(h.user_agent.has_value());  // a header line without its end is not trusted
  EXPECT_EQ(parse_ok("GET /index.ht").uri, "/index.ht");
  EXPECT_EQ(parse_ok("GET / HTTP/1.1\r").version, "HTTP/1.1");
}

TEST(HttpParse, BinaryAfterRequestLineIsKeptAsBytes) {
  Buf b = bytes_of("GET / HTTP/1.1\r\nX-Bin: \xff\xfe\x80\r\n\r\n");
  HttpProbe h;
  ASSERT_TRUE(parse_http_request(view(b), h).ok());
  ASSERT_EQ(h.headers.size(), 1u);
  EXPECT_EQ(h.headers[0].second, "\xff\xfe\x80");
}

TEST(HttpParse, RejectsNonRequests) {
  for (std::string_view bad : {"OPTIONS\n", "GET/ HTTP/1.1\n\n", "\xc3\x83\xc3\x82\xc3\x83 / HTTP/1.\n\n",
                               "\x16\x03\x01\x02\x00", " GET / HTTP/1.1\r\n\r\n", "\r\n"}) {
    Buf b = bytes_of(bad);
    HttpProbe h;
    EXPECT_EQ(http_match(view(b)), Match::no) << bad;
    EXPECT_EQ(http_state(view(b)), MessageState::invalid) << bad;
    EXPECT_FALSE(parse_http_request(view(b), h).ok()) << bad;
  }
  Buf ctl = bytes_of(std::string("GET /\x01\x02 HTTP/1.1\r\n\r\n"));
  HttpProbe h;
  EXPECT_EQ(http_state(view(ctl)), MessageState::invalid);
  EXPECT_STREQ(parse_http_request(view(ctl), h).error, "http.bad_request_line");
  Buf nul = bytes_of(std::string("GET /\0", 6));
  EXPECT_EQ(http_state(view(nul)), MessageState::invalid);
}

TEST(HttpMatch, PrefixesAndLongTokens) {
  EXPECT_EQ(match(""), Match::need_more);
  EXPECT_EQ(match("G"), Match::need_more);
  EXPECT_EQ(match("GE"), Match::need_more);
  EXPECT_EQ(match("GET"), Match::need_more);
  EXPECT_EQ(match("GET "), Match::yes);
  EXPECT_EQ(match(std::string(32, 'A')), Match::need_more);
  EXPECT_EQ(match(std::string(33, 'A')), Match::no);
  EXPECT_EQ(match(std::string(32, 'A') + " /"), Match::yes);
  EXPECT_EQ(match("GET\t/"), Match::no);
}

TEST(HttpState, NeedsHeaderEnd) {
  EXPECT_EQ(state("GET / HTTP/1.1"), MessageState::need_more);
  EXPECT_EQ(state("GET / HTTP/1.1\r"), MessageState::need_more);
  EXPECT_EQ(state("GET / HTTP/1.1\r\n"), MessageState::need_more);
  EXPECT_EQ(state("GET / HTTP/1.1\r\nHost: a\r\n"), MessageState::need_more);
  EXPECT_EQ(state("GET / HTTP/1.1\r\nHost: a\r\n\r"), MessageState::need_more);
  EXPECT_EQ(state("GET / HTTP/1.1\r\n\r\n"), MessageState::complete);
}

TEST(HttpState, EveryPrefixOfZgrab) {
  Buf full = bytes_of(kZgrab);
  for (size_t n = 0; n < full.size(); ++n) {
    Buf b(full.begin(), full.begin() + n);
    EXPECT_NE(http_match(view(b)), Match::no) << n;
    EXPECT_EQ(http_state(view(b)), MessageState::need_more) << n;
    HttpProbe h;
    ParseStatus st = parse_http_request(view(b), h);
    if (n >= 4) {
      EXPECT_TRUE(st.ok()) << n;
    }
  }
  EXPECT_EQ(http_state(view(full)), MessageState::complete);
}

TEST(HttpParse, RandomGarbageNeverCrashes) {
  test::Garbage g(1234);
  Buf base = bytes_of("POST /a?b=c HTTP/1.1\r\nHost: x\r\nUser-Agent: y\r\n z\r\nContent-Length: 5\r\n\r\nhello");
  for (int i = 0; i < 20000; ++i) {
    Buf b = i % 2 ? g.random(200) : g.mutate(base);
    if (i % 7 == 0) b.insert(b.begin(), {'G', 'E', 'T', ' '});
    HttpProbe h;
    http_match(view(b));
    http_state(view(b));
    ParseStatus st = parse_http_request(view(b), h);
    if (st.ok()) {
      EXPECT_LE(h.body_length, b.size());
    }
  }
}

}  // namespace
}  // namespace sg

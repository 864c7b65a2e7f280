// Tokenisers that turn one field value into the option tokens of the encoding (docs/METHOD.md). The aim is
// that two versions of the same client share most tokens, so a scanner that upgrades its tool keeps most
// of its image, while the exact version stays visible as a token of its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sg::features {

// Tokens longer than this are cut: they are rare by nature, and hostile values must not make the
// vocabulary counters grow without bound.
constexpr size_t kMaxTokenBytes = 64;
// At most this many tokens are taken from one value, for the same reason.
constexpr size_t kMaxTokensPerValue = 64;

std::string clip_token(std::string_view s);

// Comma-separated header values (Accept, Accept-Encoding): elements trimmed, empty ones dropped,
// parameters kept ("application/xml;q=0.9" stays one token, its weight is part of the client's habit).
std::vector<std::string> split_list(std::string_view s, char sep = ',');

// User-Agent (RFC 9110 §10.1.5: product tokens and parenthesised comments).
//  - A product `name/version` gives `name`, `name/major` (version up to its first '.') and `name/version`;
//    a bare word gives itself.
//  - A comment `( ... )` is split on ';'; each trimmed item is a token. An item that is itself a product
//    (`bingbot/2.0`, `rv:52.0`) also gives its name and name/major; a phrase ending in a version
//    (`Windows NT 10.0`, `Intel Mac OS X 10_8_5`) also gives the phrase without it.
//  - Tokens are de-duplicated, first occurrence first.
// So `Mozilla/5.0 (X11; Linux x86_64; rv:52.0) Gecko/20100101 Firefox/52.0` and the same browser at 128.0
// share Mozilla, Mozilla/5, Mozilla/5.0, X11, Linux x86_64, rv, Gecko, Gecko/20100101 and Firefox.
std::vector<std::string> user_agent_tokens(std::string_view ua);

// SSH identification line `SSH-protoversion-softwareversion comments`: the whole line, `SSH-2.0`, the
// software version, its name (up to the first '_' or '-'), and the comments.
std::vector<std::string> ssh_banner_tokens(std::string_view banner);

// TLS code points: GREASE values (RFC 8701, 0x?a?a) become the single token "grease" because clients pick
// them at random per connection; others are decimal.
bool is_grease(uint64_t v);
std::string code_token(uint64_t v);

// The smallest common initial TTL (32, 64, 128, 255) at or above an observed TTL: hop counts differ per
// path, the sender's initial value does not.
unsigned initial_ttl(unsigned ttl);

}  // namespace sg::features

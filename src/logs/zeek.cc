#include "logs/zeek.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <optional>

#include "logs/fingerprints.h"
#include "util/hash.h"

namespace sg::logs {

namespace {

// "\x09" and friends, as Zeek escapes bytes in headers and values.
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(s[i + 2])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 3]))) {
      unsigned v = 0;
      std::from_chars(s.data() + i + 2, s.data() + i + 4, v, 16);
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void split(std::string_view line, char sep, std::vector<std::string_view>& out) {
  out.clear();
  size_t pos = 0;
  for (;;) {
    size_t end = line.find(sep, pos);
    if (end == std::string_view::npos) {
      out.push_back(line.substr(pos));
      return;
    }
    out.push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
}

ZeekLog kind_from_path(std::string_view path) {
  if (path == "http") return ZeekLog::http;
  if (path == "ssl") return ZeekLog::ssl;
  if (path == "dns") return ZeekLog::dns;
  if (path == "ssh") return ZeekLog::ssh;
  if (path == "conn") return ZeekLog::conn;
  return ZeekLog::other;
}

// Without a #path (JSON lines, or a TSV writer configured without it): the fields tell the log apart.
ZeekLog kind_from_fields(const std::function<bool(const char*)>& has) {
  if (has("conn_state")) return ZeekLog::conn;
  if (has("method") && has("uri") && has("trans_depth")) return ZeekLog::http;
  if (has("trans_id") && has("query")) return ZeekLog::dns;
  if (has("server_name") || has("ssl_history") || has("cipher")) return ZeekLog::ssl;
  if (has("client") && has("server") && (has("auth_success") || has("host_key"))) return ZeekLog::ssh;
  return ZeekLog::other;
}

std::string_view other_reason(ZeekLog k) {
  return k == ZeekLog::conn ? "zeek: conn entry of a session with a first message (read from its protocol log)"
                            : "zeek: entry of a log that holds no probes";
}

void absent(Probe& p, std::initializer_list<const char*> keys) {
  for (const char* k : keys) p.absent.emplace_back(k);
}

// One entry's values by field name, whatever the format: nullopt for a missing or unset field.
using Get = std::function<std::optional<std::string>(const char*)>;

std::optional<uint64_t> number(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size()) return std::nullopt;
  return v;
}

// The entry as a probe: the common fields, then the log's own.
LineOutcome entry(ZeekLog kind, const Get& get, Probe& p) {
  if (kind != ZeekLog::http && kind != ZeekLog::ssl && kind != ZeekLog::dns && kind != ZeekLog::ssh &&
      kind != ZeekLog::conn)
    return LineOutcome::skip(other_reason(kind));
  auto ts_text = get("ts");
  std::optional<int64_t> ts;
  if (ts_text) ts = parse_epoch_us(*ts_text);
  if (ts_text && !ts) ts = parse_iso_us(*ts_text);
  if (!ts) return LineOutcome::error("zeek: bad or missing ts");
  auto src_t = get("id.orig_h"), dst_t = get("id.resp_h");
  auto src = src_t ? normal_address(*src_t) : std::nullopt;
  auto dst = dst_t ? normal_address(*dst_t) : std::nullopt;
  if (!src || !dst) return LineOutcome::error("zeek: bad id.orig_h or id.resp_h");
  auto sp_t = get("id.orig_p"), dp_t = get("id.resp_p");
  auto sport = sp_t ? parse_port(*sp_t) : std::nullopt;
  auto dport = dp_t ? parse_port(*dp_t) : std::nullopt;
  if (!sport || !dport) return LineOutcome::error("zeek: bad id.orig_p or id.resp_p");

  p = Probe{};
  p.source = Source::zeek;
  p.ts_us = *ts;
  p.src = std::move(*src);
  p.dst = std::move(*dst);
  p.sport = *sport;
  p.dport = *dport;
  p.transport = Transport::tcp;
  if (auto proto = get("proto")) {
    if (*proto == "udp")
      p.transport = Transport::udp;
    else if (*proto != "tcp")
      return LineOutcome::skip("zeek: entry of a session that is not TCP or UDP");
  }

  switch (kind) {
    case ZeekLog::http: {
      if (auto depth = number(get("trans_depth")); depth && *depth > 1)
        return LineOutcome::skip("zeek: later HTTP request on a connection");
      auto method = get("method");
      auto uri = get("uri");
      if (!method || !uri) return LineOutcome::skip("zeek: http entry without a request");
      HttpProbe h;
      h.method = std::move(*method);
      h.uri = std::move(*uri);
      // Left out: Zeek's `version` is overwritten by the reply's (a 1.1 request answered in 1.0 logs "1.0"),
      // and client_header_names (policy/protocols/http/header-names) are upper-cased and carry no values, so
      // neither says what the client sent.
      absent(p, {"http.version", "http.headers"});
      h.host = get("host");
      h.user_agent = get("user_agent");
      if (auto n = number(get("request_body_len")))
        h.body_length = *n;
      else
        absent(p, {"http.body_length"});
      p.service = Service::http;
      p.http = std::move(h);
      return LineOutcome::ok();
    }
    case ZeekLog::ssl: {
      TlsProbe t;
      t.sni = get("server_name");
      // ssl.log's version and cipher are what the server chose, not what the client offered.
      absent(p, {"tls.record_version", "tls.version", "tls.random", "tls.gmt_unix_time", "tls.session_id",
                 "tls.ciphers", "tls.compression_methods", "tls.extensions", "tls.alpn", "tls.supported_groups",
                 "tls.ec_point_formats", "tls.signature_algorithms", "tls.supported_versions", "tls.ja3"});
      if (auto v = get("ja3"))  // the ja3 package logs the hash only
        t.ja3_hash = std::move(*v);
      else
        absent(p, {"tls.ja3_hash"});
      if (auto v = get("ja4"))
        t.ja4 = std::move(*v);
      else
        absent(p, {"tls.ja4"});
      p.service = Service::tls;
      p.tls = std::move(t);
      return LineOutcome::ok();
    }
    case ZeekLog::dns: {
      auto query = get("original_query");
      if (!query) query = get("query");
      auto id = number(get("trans_id"));
      if (!query || !id || *id > 0xffff) return LineOutcome::skip("zeek: dns entry without a query");
      DnsProbe d;
      d.id = static_cast<uint16_t>(*id);
      d.qname = std::move(*query);
      if (auto v = number(get("qtype")); v && *v <= 0xffff)
        d.qtype = static_cast<uint16_t>(*v);
      else
        absent(p, {"dns.qtype"});
      if (auto v = number(get("qclass")); v && *v <= 0xffff)
        d.qclass = static_cast<uint16_t>(*v);
      else
        absent(p, {"dns.qclass"});
      if (auto v = number(get("opcode")); v && *v <= 15)
        d.opcode = static_cast<uint8_t>(*v);
      else
        absent(p, {"dns.opcode"});
      // RD is the query's; AA, TC, RA, Z and rcode are the reply's, so not the probe's.
      if (auto v = get("RD"))
        d.rd = *v == "T" || *v == "true";
      else
        absent(p, {"dns.rd"});
      absent(p, {"dns.flags", "dns.aa", "dns.tc", "dns.ra", "dns.z", "dns.ad", "dns.cd", "dns.rcode", "dns.qdcount",
                 "dns.ancount", "dns.nscount", "dns.arcount"});
      p.service = Service::dns;
      p.dns = std::move(d);
      return LineOutcome::ok();
    }
    case ZeekLog::ssh: {
      auto client = get("client");
      if (!client) return LineOutcome::skip("zeek: ssh entry without the client's version");
      SshProbe s;
      s.banner = std::move(*client);
      auto algos = get("hasshAlgorithms");
      if (algos && fill_from_hassh_algorithms(*algos, s)) {
        s.kexinit = true;
        auto h = get("hassh");
        s.hassh = h ? std::move(*h) : md5_hex(*algos);
        absent(p, {"ssh.host_key_algorithms"});
      } else {
        absent(p, {"ssh.kexinit"});
      }
      p.service = Service::ssh;
      p.ssh = std::move(s);
      return LineOutcome::ok();
    }
    case ZeekLog::conn: {
      // A session whose client sent a SYN and nothing more: no service, no originator bytes, a history that
      // starts with the SYN. The capture makes a syn probe of it; the log has no SYN signature to give.
      auto history = get("history");
      auto orig_bytes = number(get("orig_bytes"));
      const bool syn_only = p.transport == Transport::tcp && !get("service") && history && !history->empty() &&
                            (*history)[0] == 'S' && (!orig_bytes || *orig_bytes == 0) &&
                            history->find_first_of("Dd") == std::string::npos;
      if (!syn_only) return LineOutcome::skip(other_reason(ZeekLog::conn));
      p.service = Service::syn;
      return LineOutcome::ok();
    }
    default:
      return LineOutcome::skip(other_reason(kind));
  }
}

}  // namespace

bool looks_like_zeek_tsv(std::string_view line) { return line.starts_with("#separator "); }

bool looks_like_zeek_json(std::string_view line) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(line.data(), line.size());
  return !doc.HasParseError() && doc.IsObject() && doc.HasMember("id.orig_h");
}

LineOutcome ZeekReader::feed(std::string_view line, Probe& p) {
  if (line.empty()) return {LineOutcome::header, {}};
  if (line[0] == '#') return header(line);
  if (line[0] == '{') return json_entry(line, p);
  return tsv_entry(line, p);
}

LineOutcome ZeekReader::header(std::string_view line) {
  if (line.starts_with("#separator ")) {
    std::string sep = unescape(line.substr(11));
    if (sep.size() != 1) return LineOutcome::error("zeek: #separator is not one character");
    separator_ = sep[0];
    return {LineOutcome::header, {}};
  }
  std::vector<std::string_view> parts;
  split(line, separator_, parts);
  if (parts.size() < 2) return {LineOutcome::header, {}};  // #open, #close, comments
  const std::string_view key = parts[0];
  // #set_separator matters only to set and vector fields, of which no probe field is read.
  if (key == "#empty_field") {
    empty_ = unescape(parts[1]);
  } else if (key == "#unset_field") {
    unset_ = unescape(parts[1]);
  } else if (key == "#path") {
    path_ = unescape(parts[1]);
  } else if (key == "#fields") {
    // A new block: its fields replace the old ones for the entries after it.
    fields_.clear();
    for (size_t i = 1; i < parts.size(); ++i) fields_.push_back(unescape(parts[i]));
    kind_ = path_.empty() ? kind_from_fields([&](const char* f) {
      return std::find(fields_.begin(), fields_.end(), f) != fields_.end();
    })
                          : kind_from_path(path_);
  }
  return {LineOutcome::header, {}};
}

LineOutcome ZeekReader::tsv_entry(std::string_view line, Probe& p) {
  if (fields_.empty()) return LineOutcome::error("zeek: entry before a #fields header");
  split(line, separator_, cols_);
  if (cols_.size() != fields_.size())
    return LineOutcome::error("zeek: entry with a different number of fields than #fields");
  auto raw = [&](const char* name) -> std::optional<std::string_view> {
    for (size_t i = 0; i < fields_.size(); ++i)
      if (fields_[i] == name) {
        if (cols_[i] == unset_) return std::nullopt;
        return cols_[i];
      }
    return std::nullopt;
  };
  Get get = [&](const char* name) -> std::optional<std::string> {
    auto v = raw(name);
    if (!v) return std::nullopt;
    if (*v == empty_) return std::string();
    return unescape(*v);
  };
  return entry(kind_, get, p);
}

LineOutcome ZeekReader::json_entry(std::string_view line, Probe& p) {
  rapidjson::Document doc;
  // Numbers as their text: ts and ports are read exactly, never through a double.
  doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(line.data(), line.size());
  if (doc.HasParseError()) return LineOutcome::error("zeek: truncated or invalid JSON");
  if (!doc.IsObject()) return LineOutcome::error("zeek: JSON entry is not an object");
  auto has = [&](const char* f) { return doc.HasMember(f); };
  ZeekLog kind = ZeekLog::unknown;
  if (auto it = doc.FindMember("_path"); it != doc.MemberEnd() && it->value.IsString())
    kind = kind_from_path(std::string_view(it->value.GetString(), it->value.GetStringLength()));
  else
    kind = kind_from_fields(has);
  Get get = [&](const char* name) -> std::optional<std::string> {
    auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || it->value.IsNull()) return std::nullopt;
    const auto& v = it->value;
    if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
    if (v.IsBool()) return std::string(v.GetBool() ? "T" : "F");
    return std::nullopt;
  };
  return entry(kind, get, p);
}

}  // namespace sg::logs

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "simulate/profile.h"

namespace sg::simulate {

namespace {

using nlohmann::json;

// Names where a problem is, so a bad profile file is fixed in one look.
struct Where {
  std::string file, path;
  Where at(const std::string& key) const { return {file, path.empty() ? key : path + "." + key}; }
  Where at(size_t i) const { return {file, path + "[" + std::to_string(i) + "]"}; }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(file + ": " + (path.empty() ? "" : path + ": ") + what);
  }
};

const json& need(const json& j, const char* key, const Where& w) {
  if (!j.is_object() || !j.contains(key)) w.fail(std::string("missing \"") + key + "\"");
  return j.at(key);
}

template <class T>
T get(const json& j, const Where& w) {
  try {
    return j.get<T>();
  } catch (const json::exception& e) {
    w.fail(std::string("wrong type (") + e.what() + ")");
  }
}

template <class T>
T get_or(const json& j, const char* key, T fallback, const Where& w) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return fallback;
  return get<T>(j.at(key), w.at(key));
}

std::string source_of(const json& j, const Where& w) {
  auto s = get<std::string>(need(j, "source", w), w.at("source"));
  if (s.empty()) w.fail("empty \"source\"");
  return s;
}

double share_of(const json& j, const Where& w) {
  double s = get_or<double>(j, "share", 1.0, w);
  if (!(s > 0)) w.fail("\"share\" must be positive");
  return s;
}

std::vector<uint16_t> ports_of(const json& j, const Where& w, std::vector<uint16_t> fallback) {
  auto p = get_or<std::vector<uint16_t>>(j, "ports", fallback, w);
  if (p.empty()) w.fail("\"ports\" is empty");
  return p;
}

std::vector<Cidr> cidrs(const json& j, const Where& w) {
  std::vector<Cidr> out;
  auto list = get<std::vector<std::string>>(j, w);
  for (size_t i = 0; i < list.size(); ++i) {
    Cidr c;
    if (!parse_cidr(list[i], c)) w.at(i).fail("not a CIDR: " + list[i]);
    out.push_back(c);
  }
  return out;
}

// ---- tools.json ----

TcpStackSpec parse_stack(const std::string& name, const json& j, const Where& w) {
  TcpStackSpec s;
  s.name = name;
  s.source = source_of(j, w);
  s.initial_ttl = get_or<uint8_t>(j, "initial_ttl", 64, w);
  s.df = get_or<bool>(j, "df", true, w);
  s.syn_window = get_or<uint16_t>(j, "syn_window", 64240, w);
  s.syn_window_v6 = get_or<uint16_t>(j, "syn_window_v6", s.syn_window, w);
  s.window = get_or<uint16_t>(j, "window", 502, w);
  s.wscale = get_or<uint8_t>(j, "wscale", 7, w);
  s.options = get<std::vector<uint8_t>>(need(j, "options", w), w.at("options"));
  return s;
}

TlsClientSpec parse_client(const std::string& name, const json& j, const Where& w) {
  TlsClientSpec c;
  c.name = name;
  c.source = source_of(j, w);
  ClientHello& h = c.hello;
  h.record_version = get_or<uint16_t>(j, "record_version", 0x0301, w);
  h.version = get_or<uint16_t>(j, "version", 0x0303, w);
  h.ciphers = get<std::vector<uint16_t>>(need(j, "ciphers", w), w.at("ciphers"));
  h.extensions = get<std::vector<uint16_t>>(need(j, "extensions", w), w.at("extensions"));
  h.supported_groups = get_or<std::vector<uint16_t>>(j, "supported_groups", {}, w);
  h.ec_point_formats = get_or<std::vector<uint8_t>>(j, "ec_point_formats", {0}, w);
  h.signature_algorithms = get_or<std::vector<uint16_t>>(j, "signature_algorithms", {}, w);
  h.supported_versions = get_or<std::vector<uint16_t>>(j, "supported_versions", {}, w);
  h.alpn = get_or<std::vector<std::string>>(j, "alpn", {}, w);
  h.key_share = get_or<std::vector<uint16_t>>(j, "key_share", {}, w);
  h.grease = get_or<bool>(j, "grease", false, w);
  if (h.ciphers.empty()) w.fail("no ciphers");
  c.session_id = get_or<bool>(j, "session_id", false, w);
  return c;
}

SshClientSpec parse_ssh_client(const std::string& name, const json& j, const Where& w) {
  SshClientSpec c;
  c.name = name;
  c.source = source_of(j, w);
  SshKexInit& k = c.kexinit;
  auto list = [&](const char* key) {
    auto v = get<std::vector<std::string>>(need(j, key, w), w.at(key));
    if (v.empty()) w.at(key).fail("empty list");
    return v;
  };
  k.kex_algorithms = list("kex_algorithms");
  k.host_key_algorithms = list("host_key_algorithms");
  k.encryption_c2s = k.encryption_s2c = list("encryption");
  k.mac_c2s = k.mac_s2c = list("mac");
  k.compression_c2s = k.compression_s2c = get_or<std::vector<std::string>>(j, "compression", {"none"}, w);
  return c;
}

void parse_tools(ProfileSet& set, const json& j, const Where& w) {
  for (const auto& [name, body] : need(j, "tcp", w).items())
    set.stacks.emplace(name, parse_stack(name, body, w.at("tcp").at(name)));
  for (const auto& [name, body] : need(j, "tls", w).items())
    set.tls_clients.emplace(name, parse_client(name, body, w.at("tls").at(name)));
  if (j.contains("ssh"))
    for (const auto& [name, body] : j.at("ssh").items())
      set.ssh_clients.emplace(name, parse_ssh_client(name, body, w.at("ssh").at(name)));
}

// ---- entries ----

template <class T, class F>
std::vector<T> entries(const json& j, const char* key, const Where& w, F parse) {
  std::vector<T> out;
  if (!j.contains(key) || j.at(key).is_null()) return out;
  const json& list = j.at(key);
  if (!list.is_array()) w.at(key).fail("expected an array");
  for (size_t i = 0; i < list.size(); ++i) out.push_back(parse(list[i], w.at(key).at(i)));
  return out;
}

HttpEntry parse_http(const json& j, const Where& w) {
  HttpEntry e;
  e.share = share_of(j, w);
  e.source = source_of(j, w);
  e.request.method = get_or<std::string>(j, "method", "GET", w);
  e.request.uri = get_or<std::string>(j, "uri", "/", w);
  e.request.version = get_or<std::string>(j, "version", "HTTP/1.1", w);
  for (const auto& h : get_or<std::vector<std::vector<std::string>>>(j, "headers", {}, w)) {
    if (h.size() != 2) w.at("headers").fail("each header is [name, value]");
    e.request.headers.emplace_back(h[0], h[1]);
  }
  e.request.body = get_or<std::string>(j, "body", "", w);
  e.ports = ports_of(j, w, {80});
  return e;
}

DnsEntry parse_dns(const json& j, const Where& w) {
  DnsEntry e;
  e.share = share_of(j, w);
  e.source = source_of(j, w);
  e.query.qname = get<std::string>(need(j, "qname", w), w.at("qname"));
  e.query.qtype = get_or<uint16_t>(j, "qtype", 1, w);
  e.query.qclass = get_or<uint16_t>(j, "qclass", 1, w);
  e.query.flags = get_or<uint16_t>(j, "flags", 0x0100, w);
  if (j.contains("edns") && !j.at("edns").is_null()) {
    const json& x = j.at("edns");
    EdnsSpec edns;
    edns.udp_size = get_or<uint16_t>(x, "udp_size", 1232, w.at("edns"));
    edns.do_bit = get_or<bool>(x, "do", false, w.at("edns"));
    e.cookie = get_or<bool>(x, "cookie", false, w.at("edns"));
    e.query.edns = edns;
  }
  e.ports = ports_of(j, w, {53});
  return e;
}

SshEntry parse_ssh(const ProfileSet& set, const json& j, const Where& w) {
  SshEntry e;
  e.share = share_of(j, w);
  e.source = source_of(j, w);
  e.banner = get<std::string>(need(j, "banner", w), w.at("banner"));
  auto kex = get_or<std::string>(j, "kex", "", w);
  if (!kex.empty()) {
    auto it = set.ssh_clients.find(kex);
    if (it == set.ssh_clients.end()) w.at("kex").fail("unknown SSH client '" + kex + "' (tools.json)");
    e.kex = &it->second;
  }
  e.ports = ports_of(j, w, {22});
  return e;
}

Variant parse_variant(const ProfileSet& set, const json& j, const Where& w) {
  Variant v;
  v.name = get_or<std::string>(j, "name", "", w);
  v.share = share_of(j, w);
  v.tcp = entries<TcpChoice>(j, "tcp", w, [&](const json& e, const Where& ew) {
    auto name = get<std::string>(need(e, "stack", ew), ew.at("stack"));
    auto it = set.stacks.find(name);
    if (it == set.stacks.end()) ew.fail("unknown TCP stack '" + name + "' (tools.json)");
    return TcpChoice{share_of(e, ew), source_of(e, ew), &it->second};
  });
  if (v.tcp.empty()) w.fail("no \"tcp\" stack");
  v.http = entries<HttpEntry>(j, "http", w, parse_http);
  v.tls = entries<TlsEntry>(j, "tls", w, [&](const json& e, const Where& ew) {
    TlsEntry t;
    t.share = share_of(e, ew);
    t.source = source_of(e, ew);
    auto name = get<std::string>(need(e, "client", ew), ew.at("client"));
    auto it = set.tls_clients.find(name);
    if (it == set.tls_clients.end()) ew.fail("unknown TLS client '" + name + "' (tools.json)");
    t.client = &it->second;
    if (e.contains("sni") && !e.at("sni").is_null()) t.sni = get<std::string>(e.at("sni"), ew.at("sni"));
    if (e.contains("session_id")) t.session_id = get<bool>(e.at("session_id"), ew.at("session_id"));
    if (e.contains("alpn")) t.alpn = get<std::vector<std::string>>(e.at("alpn"), ew.at("alpn"));
    t.ports = ports_of(e, ew, {443});
    return t;
  });
  v.dns = entries<DnsEntry>(j, "dns", w, parse_dns);
  v.ssh = entries<SshEntry>(j, "ssh", w, [&](const json& e, const Where& ew) { return parse_ssh(set, e, ew); });
  v.syn = entries<SynEntry>(j, "syn", w, [](const json& e, const Where& ew) {
    return SynEntry{share_of(e, ew), source_of(e, ew), ports_of(e, ew, {80})};
  });
  if (v.http.empty() && v.tls.empty() && v.dns.empty() && v.ssh.empty() && v.syn.empty())
    w.fail("no probes (http, tls, dns, ssh or syn)");
  return v;
}

uint8_t weekday_mask(const std::vector<int>& days, const Where& w) {
  uint8_t mask = 0;
  for (int d : days) {
    if (d < 1 || d > 7) w.fail("weekdays are 1 (Monday) .. 7 (Sunday)");
    mask |= uint8_t(1 << (d - 1));
  }
  if (!mask) w.fail("no weekday");
  return mask;
}

Activity parse_activity(const json& j, const Where& w) {
  Activity a;
  a.source = source_of(j, w);
  a.sessions_per_day = get_or<double>(j, "sessions_per_day", 0.0, w);
  a.services = get<std::map<std::string, double>>(need(j, "services", w), w.at("services"));
  a.v6_share = get_or<double>(j, "v6_share", 0.0, w);
  a.day_share = get_or<double>(j, "day_share", 1.0, w);
  if (!(a.day_share > 0 && a.day_share <= 1)) w.at("day_share").fail("expected a share in (0, 1]");
  if (j.contains("weekdays")) a.weekdays = weekday_mask(get<std::vector<int>>(j.at("weekdays"), w), w.at("weekdays"));
  auto hours = get_or<std::vector<int>>(j, "hours", {0, 24}, w);
  if (hours.size() != 2 || hours[0] < 0 || hours[1] <= hours[0] || hours[1] > 24)
    w.at("hours").fail("expected [first, end) hours within 0..24");
  a.first_hour = hours[0];
  a.hours = hours[1] - hours[0];
  return a;
}

Profile parse_profile(const ProfileSet& set, const std::string& file, const json& j) {
  Where w{file, ""};
  Profile p;
  p.file = file;
  p.org = get<std::string>(need(j, "org", w), w.at("org"));
  p.about = get_or<std::string>(j, "about", "", w);
  if (j.contains("ranges")) {
    const json& r = j.at("ranges");
    p.v4 = cidrs(get_or<json>(r, "v4", json::array(), w.at("ranges")), w.at("ranges").at("v4"));
    p.v6 = cidrs(get_or<json>(r, "v6", json::array(), w.at("ranges")), w.at("ranges").at("v6"));
    p.ranges_source = source_of(r, w.at("ranges"));
  }
  p.activity = parse_activity(need(j, "activity", w), w.at("activity"));
  if (j.contains("variants")) {
    const json& list = j.at("variants");
    for (size_t i = 0; i < list.size(); ++i) p.variants.push_back(parse_variant(set, list[i], w.at("variants").at(i)));
  } else {
    p.variants.push_back(parse_variant(set, j, w));
    p.variants.back().name = p.org;
  }
  if (p.variants.empty()) w.fail("no variants");
  return p;
}

json parse_json(const std::string& file, const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw std::invalid_argument(file + ": not JSON (" + e.what() + ")");
  }
}

}  // namespace

bool Variant::has(const std::string& service) const {
  if (service == "http") return !http.empty();
  if (service == "tls") return !tls.empty();
  if (service == "dns") return !dns.empty();
  if (service == "ssh") return !ssh.empty();
  if (service == "syn") return !syn.empty();
  return false;
}

const Profile& ProfileSet::get(const std::string& org) const {
  auto it = profiles.find(org);
  if (it == profiles.end()) throw std::invalid_argument("no profile for organisation '" + org + "'");
  return it->second;
}

ProfileSet parse_profiles(const ProfileFiles& files) {
  ProfileSet set;
  auto tools = std::find_if(files.begin(), files.end(), [](const auto& f) { return f.first == "tools.json"; });
  if (tools == files.end()) throw std::invalid_argument("profiles: tools.json is missing");
  parse_tools(set, parse_json(tools->first, tools->second), Where{tools->first, ""});
  for (const auto& [name, text] : files) {
    if (name == "tools.json") continue;
    Profile p = parse_profile(set, name, parse_json(name, text));
    std::string org = p.org;
    if (!set.profiles.emplace(org, std::move(p)).second)
      throw std::invalid_argument(name + ": organisation '" + org + "' defined twice");
  }
  return set;
}

ProfileFiles read_profile_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error("profiles: not a directory: " + dir);
  ProfileFiles files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw std::runtime_error("profiles: cannot read " + e.path().string());
    files.emplace_back(e.path().filename().string(), text.str());
  }
  std::sort(files.begin(), files.end());
  return files;
}

const ProfileSet& embedded_profiles() {
  static const ProfileSet set = parse_profiles(embedded_profile_files());
  return set;
}

}  // namespace sg::simulate

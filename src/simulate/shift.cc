#include "simulate/shift.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>

namespace sg::simulate {

namespace {

// FNV-1a: the choices below hang on names only, never on a seed or on a model.
uint64_t name_hash(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (char c : s) h = (h ^ uint8_t(c)) * 1099511628211ull;
  return h;
}

// True for about `n` of every `d` keys.
bool chosen(const std::string& key, uint64_t n, uint64_t d) { return name_hash(key) % d < n; }

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(uint8_t(c)));
  return s;
}

bool is_unknown(const Profile& p) { return p.org == "unknown"; }

// "censys" for an organisation, "unknown/zgrab2" for a tool of the unknown population.
std::string who(const Profile& p, const Variant& v) { return is_unknown(p) ? p.org + "/" + v.name : p.org; }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// ---- (a) versions inside User-Agent strings ----

bool name_char(char c) { return std::isalnum(uint8_t(c)) || c == '_' || c == '-' || c == '.'; }
bool version_char(char c) { return std::isalnum(uint8_t(c)) || c == '.'; }

// Tokens whose number never moves: Mozilla/5.0 and the WebKit/Safari pair are frozen in every browser's UA,
// Go-http-client/1.1 names the HTTP version, not Go's.
const std::set<std::string> kFrozen = {"mozilla", "applewebkit", "safari",  "go-http-client",
                                       "gecko",   "khtml",       "trident", "like"};

// The next release's version of `name/version`.
std::string next_version(const std::string& name, const std::string& version) {
  std::string n = lower(name);
  size_t dot = version.find('.');
  std::string major_text = version.substr(0, dot);
  if (major_text.empty() || !std::all_of(major_text.begin(), major_text.end(), ::isdigit)) return version;
  int major = std::stoi(major_text);
  std::string rest = dot == std::string::npos ? "" : version.substr(dot + 1);
  size_t dot2 = rest.find('.');
  std::string minor_text = rest.substr(0, dot2);
  bool numeric_minor = !minor_text.empty() && std::all_of(minor_text.begin(), minor_text.end(), ::isdigit);
  // Browsers ship a major release every four weeks: half a year is about six.
  if (n == "chrome" || n == "firefox" || n == "edg" || n == "crios")
    return std::to_string(major + 6) + version.substr(major_text.size());
  if (n == "curl")
    return major < 8 ? "8.5.0" : std::to_string(major) + "." + std::to_string(std::stoi(minor_text) + 2) + ".0";
  if (n == "python-requests" && numeric_minor)
    return std::to_string(major) + "." + std::to_string(std::stoi(minor_text) + 1) + ".0";
  if (!numeric_minor) return std::to_string(major + 1) + version.substr(major_text.size());  // zgrab/0.x -> 1.x
  return std::to_string(major) + "." + std::to_string(std::stoi(minor_text) + 1) +
         (dot2 == std::string::npos ? "" : rest.substr(dot2));  // CensysInspect/1.1 -> 1.2
}

std::string bump_versions(const std::string& ua) {
  std::string out;
  size_t i = 0;
  while (i < ua.size()) {
    size_t slash = ua.find('/', i);
    if (slash == std::string::npos) break;
    size_t b = slash;
    while (b > i && name_char(ua[b - 1])) --b;
    size_t e = slash + 1;
    while (e < ua.size() && version_char(ua[e])) ++e;
    std::string name = ua.substr(b, slash - b), version = ua.substr(slash + 1, e - slash - 1);
    out += ua.substr(i, slash + 1 - i);
    bool bump = !name.empty() && !version.empty() && std::isdigit(uint8_t(version[0])) && !kFrozen.count(lower(name)) &&
                !(b > 0 && ua[b - 1] == '/');  // a URL path, not a product token
    out += bump ? next_version(name, version) : version;
    i = e;
  }
  return out + ua.substr(std::min(i, ua.size()));
}

std::string* user_agent(HttpRequest& r) {
  for (auto& [name, value] : r.headers)
    if (lower(name) == "user-agent") return &value;
  return nullptr;
}

void bump_user_agents(Profile& p, Variant& v, std::vector<std::string>& changes, std::set<const Variant*>& touched) {
  for (size_t i = 0; i < v.http.size(); ++i) {
    std::string where = who(p, v) + " http[" + std::to_string(i) + "]";
    std::string* ua = user_agent(v.http[i].request);
    if (!ua) continue;
    std::string next = bump_versions(*ua);
    // Not every tool ships a release in a given half year: about two in three do.
    if (next == *ua || !chosen("ua|" + where, 2, 3)) continue;
    changes.push_back("ua-version: " + where + " User-Agent '" + *ua + "' -> '" + next + "'");
    *ua = next;
    touched.insert(&v);
  }
}

// ---- (b) header order, TLS library releases ----

void reorder_headers(Profile& p, Variant& v, std::vector<std::string>& changes, std::set<const Variant*>& touched) {
  for (size_t i = 0; i < v.http.size(); ++i) {
    auto& h = v.http[i].request.headers;
    std::string where = who(p, v) + " http[" + std::to_string(i) + "]";
    if (h.size() < 3 || !chosen("headers|" + where, 1, 3)) continue;
    std::vector<std::string> before, after;
    for (const auto& kv : h) before.push_back(kv.first);
    // A rewritten client sets its headers in another order: the last one moves up behind the first.
    std::rotate(h.begin() + 1, h.end() - 1, h.end());
    for (const auto& kv : h) after.push_back(kv.first);
    changes.push_back("header-order: " + where + " " + join(before) + " -> " + join(after));
    touched.insert(&v);
  }
}

bool is_tls13(uint16_t suite) { return suite >> 8 == 0x13; }

// The next release of a TLS client, or nothing for a client that does not change (no extensions: a fixed
// probe such as nmap's SSLv3 hello). Returns the description of the change.
std::string next_release(const TlsClientSpec& in, TlsClientSpec& out) {
  ClientHello& h = out.hello;
  if (h.extensions.size() < 3 || h.ciphers.size() < 4) return "";
  std::vector<std::string> what;
  auto first_classic = std::find_if(h.ciphers.begin(), h.ciphers.end(), [](uint16_t c) { return !is_tls13(c); });
  if (first_classic != h.ciphers.begin()) {
    // TLS 1.3 suites already lead: the release reorders its preference between the first two classic ones.
    if (first_classic + 1 < h.ciphers.end()) std::iter_swap(first_classic, first_classic + 1);
    what.push_back("first two TLS 1.2 suites swapped");
  } else {
    std::stable_partition(h.ciphers.begin(), h.ciphers.end(), is_tls13);
    what.push_back("TLS 1.3 suites moved to the front");
  }
  std::iter_swap(h.extensions.begin() + 1, h.extensions.begin() + 2);
  what.push_back("extensions 2 and 3 swapped");
  if (in.name == "go" || in.name == "zgrab2") {
    // Go 1.22 removed the RSA key-exchange suites from crypto/tls's defaults (release notes, Feb 2024).
    const std::set<uint16_t> rsa_kex = {0x009c, 0x009d, 0x002f, 0x0035, 0x000a};
    auto gone = std::remove_if(h.ciphers.begin(), h.ciphers.end(), [&](uint16_t c) { return rsa_kex.count(c) > 0; });
    if (gone != h.ciphers.end()) what.push_back("RSA key-exchange suites dropped (as Go 1.22 did)");
    h.ciphers.erase(gone, h.ciphers.end());
  }
  out.source = "simulate --shift-from: the next release of " + in.name + " (" + join(what) + ")";
  return join(what);
}

// ---- (c) a new way of probing for some organisations ----

template <class E>
double total_share(const std::vector<E>& v) {
  double t = 0;
  for (const E& e : v) t += e.share;
  return t;
}

template <class E>
const E& heaviest(const std::vector<E>& v) {
  return *std::max_element(v.begin(), v.end(), [](const E& a, const E& b) { return a.share < b.share; });
}

constexpr const char* kNewSource = "simulate --shift-from: a new way of probing (assumption)";

// A third of the existing share: the new entry takes a quarter of the service's sessions.
bool add_way(ProfileSet& set, Profile& p, Variant& v, int kind, std::vector<std::string>& changes) {
  if (kind < 2 && v.http.empty()) return false;
  if (kind == 2 && v.tls.empty()) return false;
  if (kind == 0) {
    HttpEntry e = heaviest(v.http);
    e.request.uri = "/.well-known/security.txt";
    e.share = total_share(v.http) / 3;
    e.source = kNewSource;
    v.http.push_back(e);
    changes.push_back("new-way: " + p.org + " adds http GET /.well-known/security.txt (25% of its http)");
  } else if (kind == 1) {
    HttpEntry e = heaviest(v.http);
    e.ports = {8000, 8008, 8081, 8888, 9000, 9090};
    e.share = total_share(v.http) / 3;
    e.source = kNewSource;
    v.http.push_back(e);
    changes.push_back("new-way: " + p.org +
                      " adds its http request on ports 8000, 8008, 8081, 8888, 9000, 9090 (25% of its http)");
  } else {
    TlsEntry e = heaviest(v.tls);
    std::string from = e.client->name;
    std::string to = from == "go" || from == "zgrab2" ? "openssl3_curl" : "go";
    auto it = set.tls_clients.find(to);
    if (it == set.tls_clients.end()) return false;
    e.client = &it->second;
    e.share = total_share(v.tls) / 3;
    e.source = kNewSource;
    v.tls.push_back(e);
    changes.push_back("new-way: " + p.org + " adds TLS client " + to + " beside " + from + " (25% of its tls)");
  }
  return true;
}

// ---- (d) more unknown actors with the organisations' public tools ----

// An HTTP request that names nobody: no User-Agent, or one of a library or a browser (no "compatible;"
// crawler token, no URL, not the organisation's name). Anyone running the same tool sends the same bytes.
bool anonymous_request(const Profile& p, const HttpEntry& e) {
  HttpRequest r = e.request;
  const std::string* ua = user_agent(r);
  if (!ua) return true;
  std::string u = lower(*ua);
  return u.find("compatible") == std::string::npos && u.find("http") == std::string::npos &&
         u.find(lower(p.org)) == std::string::npos;
}

std::string share_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", s);
  return buf;
}

void more_public_tools(const ProfileSet& original, ProfileSet& set, std::vector<std::string>& changes) {
  auto unknown = set.profiles.find("unknown");
  if (unknown == set.profiles.end()) return;
  std::map<std::string, std::vector<std::string>> org_clients;  // TLS client -> organisations using it
  for (const auto& [name, p] : original.profiles)
    if (!is_unknown(p))
      for (const Variant& v : p.variants)
        for (const TlsEntry& e : v.tls)
          if (std::find(org_clients[e.client->name].begin(), org_clients[e.client->name].end(), name) ==
              org_clients[e.client->name].end())
            org_clients[e.client->name].push_back(name);
  for (Variant& v : unknown->second.variants) {
    std::vector<std::string> shared;
    for (const TlsEntry& e : v.tls) {
      std::string tool = e.client->name.substr(0, e.client->name.find('+'));  // a release is the same tool
      if (org_clients.count(tool)) shared.push_back(tool + " (" + join(org_clients[tool]) + ")");
    }
    if (shared.empty()) continue;
    changes.push_back("unknown-share: unknown/" + v.name + " share " + share_text(v.share) + " -> " +
                      share_text(v.share * 2) + "; organisations use its TLS client too: " + join(shared));
    v.share *= 2;
  }
  // Copycats of the shifted organisations: the same tool and settings, from addresses nobody lists.
  std::vector<Variant> copycats;
  for (const auto& [name, p] : set.profiles) {
    if (is_unknown(p)) continue;
    for (const Variant& v : p.variants) {
      Variant c;
      for (const HttpEntry& e : v.http)
        if (anonymous_request(p, e)) c.http.push_back(e);
      if (c.http.empty()) continue;
      c.name = "copycat-" + name;
      c.share = 0.04;
      c.tcp = v.tcp;
      c.tls = v.tls;
      changes.push_back("copycat: unknown adds " + c.name + " (share 0.04): " + name + "'s " +
                        std::to_string(c.http.size()) + " anonymous http request(s)" +
                        (c.tls.empty() ? "" : " and its tls") + " from unlisted addresses");
      copycats.push_back(std::move(c));
    }
  }
  for (Variant& c : copycats) unknown->second.variants.push_back(std::move(c));
}

}  // namespace

ProfileSet copy_profiles(const ProfileSet& in) {
  ProfileSet out;
  out.stacks = in.stacks;
  out.tls_clients = in.tls_clients;
  out.ssh_clients = in.ssh_clients;
  out.profiles = in.profiles;
  for (auto& [name, p] : out.profiles)
    for (Variant& v : p.variants) {
      for (TcpChoice& c : v.tcp) c.stack = &out.stacks.at(c.stack->name);
      for (TlsEntry& e : v.tls) e.client = &out.tls_clients.at(e.client->name);
      for (SshEntry& e : v.ssh)
        if (e.kex) e.kex = &out.ssh_clients.at(e.kex->name);
    }
  return out;
}

ShiftedProfiles shift_profiles(const ProfileSet& in) {
  ShiftedProfiles r{copy_profiles(in), {}};
  ProfileSet& set = r.profiles;
  std::vector<std::string>& changes = r.changes;
  std::set<const Variant*> touched;  // unknown tools whose payloads changed

  for (auto& [name, p] : set.profiles)  // (a), (b): HTTP
    for (Variant& v : p.variants) {
      bump_user_agents(p, v, changes, touched);
      reorder_headers(p, v, changes, touched);
    }

  // (b): TLS releases; about half of each client's users upgrade.
  std::map<std::string, std::string> releases;  // client -> what changed
  for (const auto& [cname, client] : in.tls_clients) {
    TlsClientSpec next = client;
    next.name = cname + "+next";
    std::string what = next_release(client, next);
    if (what.empty()) continue;
    releases[cname] = what;
    set.tls_clients.emplace(next.name, std::move(next));
  }
  std::set<std::string> released;
  std::vector<std::string> upgrades;
  for (auto& [name, p] : set.profiles)
    for (Variant& v : p.variants)
      for (size_t i = 0; i < v.tls.size(); ++i) {
        TlsEntry& e = v.tls[i];
        std::string where = who(p, v) + " tls[" + std::to_string(i) + "]";
        if (!releases.count(e.client->name) || !chosen("tls|" + where, 1, 2)) continue;
        upgrades.push_back("tls-upgrade: " + where + " " + e.client->name + " -> " + e.client->name + "+next");
        released.insert(e.client->name);
        e.client = &set.tls_clients.at(e.client->name + "+next");
        touched.insert(&v);
      }
  for (const auto& c : released) changes.push_back("tls-release: " + c + "+next = " + c + " with " + releases[c]);
  changes.insert(changes.end(), upgrades.begin(), upgrades.end());

  // (c): about a third of the organisations add a way of probing.
  for (auto& [name, p] : set.profiles) {
    if (is_unknown(p) || p.variants.size() != 1 || !chosen("new-way|" + name, 1, 3)) continue;
    int kind = int(name_hash("kind|" + name) % 3);
    for (int k = 0; k < 3 && !add_way(set, p, p.variants[0], (kind + k) % 3, changes); ++k) {}
  }

  // Before (d) adds tools (the pointers in `touched` stay valid until then).
  auto unknown = set.profiles.find("unknown");
  if (unknown != set.profiles.end())
    for (Variant& v : unknown->second.variants)
      if (touched.count(&v)) v.name += kShiftedSuffix;

  more_public_tools(in, set, changes);  // (d)
  return r;
}

}  // namespace sg::simulate

// Organisation profiles: what each scanner organisation sends (per service, with shares), from which
// addresses and how often. They are data (data/profiles/*.json, embedded into the binary at build time);
// every entry names its source. The simulator draws session payloads from them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capture/cidr.h"
#include "simulate/payloads.h"

namespace sg::simulate {

// ---- tool catalogue (tools.json) ----

struct TcpStackSpec {
  std::string name, source;
  uint8_t initial_ttl = 64;
  bool df = true;
  uint16_t syn_window = 64240, syn_window_v6 = 64800, window = 502;
  uint8_t wscale = 7;
  std::vector<uint8_t> options;  // SYN option kinds in wire order
};

struct TlsClientSpec {
  std::string name, source;
  ClientHello hello;  // per-session fields (random, session id, SNI) left empty
  bool session_id = false;
};

struct SshClientSpec {
  std::string name, source;
  SshKexInit kexinit;  // cookie filled per session
};

// ---- entries: one way of probing a service, with its share among the profile's entries ----

struct HttpEntry {
  double share = 1;
  std::string source;
  HttpRequest request;  // "{host}", "{rand}" and "{time}" in uri, header values and body are filled per session
  std::vector<uint16_t> ports;
};

struct TlsEntry {
  double share = 1;
  std::string source;
  const TlsClientSpec* client = nullptr;
  std::optional<std::string> sni;  // null: no SNI; "{ip}": the sensor address
  std::optional<bool> session_id;  // overrides the client's habit
  std::optional<std::vector<std::string>> alpn;
  std::vector<uint16_t> ports;
};

struct DnsEntry {
  double share = 1;
  std::string source;
  DnsQuery query;       // qname may hold "{rand}"
  bool cookie = false;  // EDNS client COOKIE (RFC 7873), random per query
  std::vector<uint16_t> ports;
};

struct SshEntry {
  double share = 1;
  std::string source;
  std::string banner;
  const SshClientSpec* kex = nullptr;  // null: the banner alone
  std::vector<uint16_t> ports;
};

// A SYN-only port probe (masscan-style): the scanner's own stack resets the sensor's SYN-ACK.
struct SynEntry {
  double share = 1;
  std::string source;
  std::vector<uint16_t> ports;
};

struct TcpChoice {
  double share = 1;
  std::string source;
  const TcpStackSpec* stack = nullptr;
};

// One tool or habit set. An organisation is one variant; the unknown population holds many, and each
// source address keeps one of them.
struct Variant {
  std::string name;
  double share = 1;
  std::vector<TcpChoice> tcp;
  std::vector<HttpEntry> http;
  std::vector<TlsEntry> tls;
  std::vector<DnsEntry> dns;
  std::vector<SshEntry> ssh;
  std::vector<SynEntry> syn;
  bool has(const std::string& service) const;
};

struct Activity {
  double sessions_per_day = 0;
  std::map<std::string, double> services;  // share of sessions per service
  double v6_share = 0;
  double day_share = 1;     // share of days with any activity (small organisations scan in bursts)
  uint8_t weekdays = 0x7f;  // bit 0 = Monday
  int first_hour = 0, hours = 24;
  std::string source;
};

struct Profile {
  std::string org, about, file;
  std::vector<Cidr> v4, v6;
  std::string ranges_source;
  Activity activity;
  std::vector<Variant> variants;
};

// All profiles plus the tool catalogue they point into (kept alive together: entries hold pointers).
struct ProfileSet {
  ProfileSet() = default;
  ProfileSet(ProfileSet&&) = default;  // map nodes move with the maps, so entry pointers stay valid
  ProfileSet& operator=(ProfileSet&&) = default;
  ProfileSet(const ProfileSet&) = delete;
  std::map<std::string, TcpStackSpec> stacks;
  std::map<std::string, TlsClientSpec> tls_clients;
  std::map<std::string, SshClientSpec> ssh_clients;
  std::map<std::string, Profile> profiles;           // by org name
  const Profile& get(const std::string& org) const;  // throws std::invalid_argument naming the org
};

// (file name, JSON text) pairs; the set needs "tools.json" and reads every other "*.json" as a profile.
using ProfileFiles = std::vector<std::pair<std::string, std::string>>;

// Parses and checks the files: every entry must carry a non-empty "source", shares must be positive,
// references must resolve. Throws std::invalid_argument naming the file and the entry.
ProfileSet parse_profiles(const ProfileFiles& files);
ProfileFiles read_profile_dir(const std::string& dir);  // throws std::runtime_error when unreadable
const ProfileFiles& embedded_profile_files();           // data/profiles/*.json as built into the binary
const ProfileSet& embedded_profiles();                  // parsed once
// The embedded demo scenario (data/scenarios/demo.json).
const std::string& embedded_demo_scenario();

}  // namespace sg::simulate

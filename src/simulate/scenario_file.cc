#include "simulate/scenario_file.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "simulate/profile_session.h"

namespace sg::simulate {

namespace {

using nlohmann::json;

constexpr uint32_t kMaxIps = 1 << 20;
constexpr uint64_t kMaxSessions = 1000000000;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw std::invalid_argument("scenario " + name + ": " + what);
}

int64_t parse_day(const std::string& name, const std::string& text) {
  using namespace std::chrono;
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    fail(name, "start is not YYYY-MM-DD: " + text);
  year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) fail(name, "no such day: " + text);
  return int64_t(sys_days{ymd}.time_since_epoch().count()) * kDayUs;
}

Cidr parse_net(const std::string& name, const std::string& text) {
  Cidr c;
  if (!parse_cidr(text, c)) fail(name, "not a CIDR: " + text);
  return c;
}

std::vector<Cidr> nets(const std::string& name, const json& j, const char* key) {
  std::vector<Cidr> out;
  if (!j.contains(key)) return out;
  for (const auto& t : j.at(key).get<std::vector<std::string>>()) out.push_back(parse_net(name, t));
  return out;
}

uint64_t block_size(const Cidr& c) {
  int host_bits = (c.net.v4 ? 32 : 128) - c.bits;
  return host_bits >= 63 ? (uint64_t(1) << 62) : uint64_t(1) << host_bits;
}

// `n` distinct hosts spread over the blocks in turn, skipping a block's network and broadcast addresses.
std::vector<IpAddr> hosts(const std::vector<Cidr>& blocks, uint32_t n) {
  std::vector<IpAddr> out;
  std::set<std::array<uint8_t, 16>> seen;
  for (uint64_t i = 0; out.size() < n && i < uint64_t(n) * 4 + 64; ++i) {
    const Cidr& c = blocks[i % blocks.size()];
    uint64_t size = block_size(c), k = i / blocks.size();
    uint64_t index = size > 2 ? 1 + k % (size - 2) : k % size;
    IpAddr a = host_in(c, index);
    if (seen.insert(a.b).second) out.push_back(a);
  }
  return out;
}

struct Planned {
  int64_t start_us;
  uint32_t org, ip;
};

std::vector<Planned> schedule(const ScenarioSpec& s, const ProfileSet& set, const std::vector<std::vector<IpAddr>>& ips,
                              Rng& rng) {
  std::vector<Planned> out;
  int start_weekday = int(((s.start_us / kDayUs) % 7 + 10) % 7);  // 1970-01-01 was a Thursday; 0 = Monday
  for (uint32_t o = 0; o < s.orgs.size(); ++o) {
    const Activity& a = set.get(s.orgs[o].profile).activity;
    std::vector<int> days;
    for (int d = 0; d < s.days; ++d)
      if (a.weekdays >> ((start_weekday + d) % 7) & 1) days.push_back(d);
    if (days.empty()) continue;
    std::vector<int> active;
    for (int d : days)
      if (rng.chance(a.day_share)) active.push_back(d);
    if (active.empty()) active.push_back(days[rng.below(days.size())]);
    days = std::move(active);
    for (uint64_t k = 0; k < s.orgs[o].sessions; ++k) {
      int day = days[rng.below(days.size())];
      int64_t t = s.start_us + day * kDayUs + a.first_hour * kHourUs + int64_t(rng.below(uint64_t(a.hours * kHourUs)));
      out.push_back({t, o, uint32_t(rng.below(ips[o].size()))});
    }
  }
  std::sort(out.begin(), out.end(), [](const Planned& a, const Planned& b) {
    return a.start_us != b.start_us ? a.start_us < b.start_us : a.org != b.org ? a.org < b.org : a.ip < b.ip;
  });
  return out;
}

}  // namespace

ScenarioSpec parse_scenario(const std::string& name, const std::string& text, const ProfileSet& set) {
  ScenarioSpec s;
  s.name = name;
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 55E555
    fail(name, std::string("not JSON (") + e.what() + ")");
  }
  try {
    s.start_us = parse_day(name, j.at("start").get<std::string>());
    s.days = j.value("days", 1);
    if (s.days < 1 || s.days > 3660) fail(name, "days must be 1..3660");
    if (j.contains("seed")) s.seed = j.at("seed").get<uint64_t>();
    const json& sensors = j.at("sensors");
    s.sensor_v4 = parse_net(name, sensors.value("v4", "192.0.2.0/28"));
    s.sensors_v4 = sensors.value("v4_count", 8);
    s.sensor_v6 = parse_net(name, sensors.value("v6", "2001:db8::/124"));
    s.sensors_v6 = sensors.value("v6_count", 0);
    if (s.sensors_v4 < 1 || uint64_t(s.sensors_v4) + 2 > block_size(s.sensor_v4) || s.sensors_v6 < 0 ||
        uint64_t(s.sensors_v6) + 2 > block_size(s.sensor_v6))
      fail(name, "sensor counts must fit their networks (at least one IPv4 sensor)");
    for (const json& o : j.at("orgs")) {
      ScenarioOrg org;
      org.profile = o.at("profile").get<std::string>();
      const Profile& p = set.get(org.profile);
      org.sessions = o.value("sessions", uint64_t(p.activity.sessions_per_day * s.days + 0.5));
      org.ips = o.value("ips", 1u);
      org.v6_ips = o.value("v6_ips", 0u);
      org.v4 = o.contains("v4") ? nets(name, o, "v4") : p.v4;
      org.v6 = o.contains("v6") ? nets(name, o, "v6") : p.v6;
      org.labelled = o.value("labelled", org.profile != "unknown");
      org.period = o.value("period", "current");
      if (o.contains("services")) org.services = o.at("services").get<std::map<std::string, double>>();
      if (org.ips < 1 || org.v4.empty())
        fail(name, org.profile + ": needs IPv4 addresses (\"v4\" or profile ranges) and ips >= 1");
      if (org.v6_ips && org.v6.empty()) fail(name, org.profile + ": v6_ips without IPv6 blocks");
      if (org.v6_ips && !s.sensors_v6) fail(name, org.profile + ": v6_ips without IPv6 sensors (sensors.v6_count)");
      if (org.ips > kMaxIps || org.v6_ips > kMaxIps || org.sessions > kMaxSessions)
        fail(name, org.profile + ": at most " + std::to_string(kMaxIps) + " addresses and " +
                       std::to_string(kMaxSessions) + " sessions per organisation");
      s.orgs.push_back(std::move(org));
    }
  } catch (const nlohmann::json::exception& e) {
    fail(name, e.what());
  }
  if (s.orgs.empty()) fail(name, "no orgs");
  return s;
}

std::vector<IpAddr> sensor_hosts(const ScenarioSpec& s) {
  std::vector<IpAddr> out;
  for (int i = 0; i < s.sensors_v4; ++i) out.push_back(host_in(s.sensor_v4, uint64_t(1 + i)));
  for (int i = 0; i < s.sensors_v6; ++i) out.push_back(host_in(s.sensor_v6, uint64_t(1 + i)));
  return out;
}

std::vector<std::string> sensor_nets(const ScenarioSpec& s) {
  std::vector<std::string> out{to_string(s.sensor_v4.net) + "/" + std::to_string(s.sensor_v4.bits)};
  if (s.sensors_v6) out.push_back(to_string(s.sensor_v6.net) + "/" + std::to_string(s.sensor_v6.bits));
  return out;
}

SessionCtx ctx_towards(Rng& rng, int64_t start_us, const IpAddr& src, const std::vector<IpAddr>& sensors) {
  std::vector<const IpAddr*> same;
  for (const IpAddr& a : sensors)
    if (a.v4 == src.v4) same.push_back(&a);
  if (same.empty())
    throw std::invalid_argument("no " + std::string(src.v4 ? "IPv4" : "IPv6") + " sensor for " + to_string(src));
  uint32_t h = addr_hash(src);
  int64_t rtt = 8000 + int64_t(h >> 8) % 240000;
  const IpAddr& dst = *same[rng.below(same.size())];
  return SessionCtx{rng, start_us, src, dst, uint8_t(6 + h % 18), rtt + rng.between(-rtt / 20, rtt / 20)};
}

uint16_t PortAllocator::next(const IpAddr& src) {
  uint64_t key = uint64_t(addr_hash(src)) << 32 ^ uint64_t(src.b[15]) << 8 ^ src.b[14];
  uint32_t n = used_[key]++;
  return uint16_t(32768 + (addr_hash(src) + uint64_t(n) * 7919) % 28232);  // 7919 is prime to 28232
}

void run_scenario(const ScenarioSpec& s, const ProfileEpochs& sets, Rng& rng, OrderingSink& sink,
                  SimulateResult& result, TruthWriter* truth, SensorLogs* logs) {
  std::vector<IpAddr> sensors = sensor_hosts(s);
  std::vector<std::vector<IpAddr>> ips;
  for (const ScenarioOrg& o : s.orgs) {
    std::vector<IpAddr> v = hosts(o.v4, o.ips);
    if (o.v6_ips) {
      std::vector<IpAddr> v6 = hosts(o.v6, o.v6_ips);
      v.insert(v.end(), v6.begin(), v6.end());
    }
    ips.push_back(std::move(v));
  }
  Emitter emit{SessionWriter{}, sink, result, truth, logs};
  PortAllocator ports;
  Plan plan;
  // The schedule follows the activity, which the shift leaves alone: the same sessions, changed payloads.
  for (const Planned& p : schedule(s, sets.before, ips, rng)) {
    const Profile& profile = sets.at(p.start_us).get(s.orgs[p.org].profile);
    const IpAddr& src = ips[p.org][p.ip];
    const Variant& v = variant_for(profile, src, "");
    std::string service = draw_service(rng, profile, v, s.orgs[p.org].services);
    SessionCtx ctx = ctx_towards(rng, p.start_us, src, sensors);
    plan_profile_session(ctx, v, service, ports.next(src), plan);
    emit.advance(p.start_us);
    emit.write(plan, attribution(profile, v));
  }
}

std::string scenario_labels_tsv(const ScenarioSpec& s, const ProfileSet& set) {
  std::string out = "prefix\torg\tsource\tperiod\n";
  for (const ScenarioOrg& o : s.orgs) {
    if (!o.labelled) continue;
    auto row = [&](const Cidr& c) {
      out += to_string(c.net) + "/" + std::to_string(c.bits) + "\t" + o.profile + "\tsimulate-" + s.name + "\t" +
             o.period + "\n";
    };
    for (const Cidr& c : o.v4) row(c);
    if (o.v6_ips)
      for (const Cidr& c : o.v6) row(c);
  }
  return out;
}

}  // namespace sg::simulate

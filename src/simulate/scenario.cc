#include "simulate/scenario.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "simulate/organisations.h"
#include "simulate/output.h"
#include "simulate/pcap_writer.h"
#include "simulate/profile_session.h"
#include "simulate/scenario_file.h"
#include "simulate/shift.h"
#include "simulate/skeleton.h"
#include "simulate/truth.h"
#include "util/atomic_file.h"

namespace sg::simulate {

namespace {

// ---- scale ----

constexpr size_t kPoolSize = 2048;
constexpr int64_t kMeanGapUs = 100;  // ~10,000 new sessions per second

// Templates from the tool archetypes, weighted so that every service (RDP too) shows up in bulk.
std::vector<Plan> scale_pool(Rng& rng) {
  const auto& orgs = scale_archetypes();
  std::vector<Plan> pool(kPoolSize);
  for (size_t i = 0; i < kPoolSize; ++i) {
    const Org& org = orgs[i % orgs.size()];
    bool v6 = org.v6 && rng.chance(org.v6_share);
    SessionCtx ctx = make_ctx(rng, kDemoStartUs, pick_source(rng, org, v6));
    org.make(ctx, pool[i]);
  }
  return pool;
}

// A fresh scanner for a template: 198.18.0.0/15 (RFC 2544 benchmarking) or 2001:db8:8000::/33.
IpAddr scale_source(Rng& rng, bool v6) {
  IpAddr a;
  a.v4 = !v6;
  uint64_t r = rng.next();
  if (!v6) {
    uint32_t host = uint32_t(198u << 24 | 18u << 16) + uint32_t(r % (1u << 17));
    for (int i = 0; i < 4; ++i) a.b[size_t(i)] = uint8_t(host >> (24 - 8 * i));
    return a;
  }
  a.b = {0x20, 0x01, 0x0d, 0xb8, uint8_t(0x80 | (r >> 56 & 0x7f)), uint8_t(r >> 48)};
  rng.fill(a.b.data() + 8, 8);
  return a;
}

void patch_spans(Rng& rng, Plan& p) {
  for (const RandomSpan& s : p.spans) {
    if (s.client_off + s.len > p.client.size()) continue;
    rng.fill(p.client.data() + s.client_off, s.len);
    if (s.server_off != RandomSpan::kNone && s.server_off + s.len <= p.server.size())
      std::copy_n(p.client.data() + s.client_off, s.len, p.server.data() + s.server_off);
  }
}

// Re-addresses a copied template: new source, ports, sequence numbers, IP ids and start time.
void rebind(Rng& rng, Plan& p, int64_t start_us) {
  bool v6 = !(p.udp ? p.dgram.flow.client.ip.v4 : p.tcp.flow.client.ip.v4);
  Flow& flow = p.udp ? p.dgram.flow : p.tcp.flow;
  flow.client.ip = scale_source(rng, v6);
  flow.client.port = uint16_t(rng.between(1024, 65535));
  if (v6) flow.flow_label = uint32_t(rng.below(1 << 20));
  patch_spans(rng, p);
  if (p.udp) {
    p.dgram.start_us = start_us;
    p.dgram.client_ip.id = uint16_t(rng.next());
    return;
  }
  TcpSession& s = p.tcp;
  s.start_us = start_us;
  s.client.isn = uint32_t(rng.next());
  s.server.isn = uint32_t(rng.next());
  s.client.ip_id = uint16_t(rng.next());
  s.client.tsval = uint32_t(rng.next());
}

// A DNS query nobody answers: one packet, used to land on exactly the requested count.
void single_query(Rng& rng, Plan& p, int64_t start_us) {
  SessionCtx ctx = make_ctx(rng, start_us, scale_source(rng, false));
  p.udp = true;
  p.service = "dns";
  p.spans.clear();
  p.dgram = UdpExchange{};
  p.dgram.flow = {{ctx.src, uint16_t(rng.between(1024, 65535))}, {ctx.dst, 53}, 0};
  p.dgram.start_us = start_us;
  p.dgram.client_ip = {uint8_t(64 - ctx.hops), false, uint16_t(rng.next())};
  DnsQuery q;
  q.id = uint16_t(rng.next());
  q.qname = "example.com";
  p.client = build_dns_query(q);
  p.server.clear();
}

void run_scale(Rng& rng, uint64_t target, OrderingSink& sink, SimulateResult& result, SensorLogs* logs) {
  Emitter emit{SessionWriter{}, sink, result, nullptr, logs};
  std::vector<Plan> pool = scale_pool(rng);
  Plan plan;
  int64_t t = kDemoStartUs;
  while (result.packets < target) {
    t += int64_t(rng.below(2 * kMeanGapUs + 1));
    emit.advance(t);
    plan = pool[rng.below(pool.size())];
    rebind(rng, plan, t);
    size_t mark = sink.mark();
    uint64_t n = emit.write(plan);
    if (result.packets <= target) continue;
    // The session would overshoot: take it back and fill the rest with single packets.
    emit.rollback(mark);
    result.packets -= n;
    result.sessions -= 1;
    result.sessions_by_service[plan.service] -= 1;
    while (result.packets < target) {
      single_query(rng, plan, t += 50);
      emit.write(plan);
    }
  }
}

// ---- replay ----

// Every skeleton row becomes one session from its address, at its second (plus a sub-second offset that
// keeps the probe inside that second), of its service, with a payload from its organisation's profile.
void run_replay(const SimulateOptions& o, const ProfileEpochs& sets, Rng& rng, OrderingSink& sink,
                SimulateResult& result, TruthWriter* truth, SensorLogs* logs) {
  std::vector<IpAddr> sensors;
  Cidr net, net6;
  parse_cidr(kReplaySensorNet, net);
  parse_cidr(kReplaySensorNet6, net6);
  for (int i = 0; i < kReplaySensors; ++i) sensors.push_back(host_in(net, uint64_t(1 + i)));
  for (int i = 0; i < 4; ++i) sensors.push_back(host_in(net6, uint64_t(1 + i)));
  result.sensor_nets = {kReplaySensorNet, kReplaySensorNet6};
  SkeletonReader reader(o.skeleton);
  Emitter emit{SessionWriter{}, sink, result, truth, logs};
  PortAllocator ports;
  Plan plan;
  SkeletonRow row;
  int64_t last = std::numeric_limits<int64_t>::min() / 2;  // far back, and no overflow below
  while (reader.next(row)) {
    if (row.ts_us < last - kHourUs) {  // the ordering buffer only tolerates small steps back
      reader.skip("out of time order by more than an hour");
      continue;
    }
    const ProfileSet& set = sets.at(row.ts_us);
    auto profile = set.profiles.find(row.org);
    if (profile == set.profiles.end()) {
      reader.skip("no profile for organisation '" + row.org.substr(0, 40) + "'");
      continue;
    }
    bool probes_it = std::any_of(profile->second.variants.begin(), profile->second.variants.end(),
                                 [&](const Variant& v) { return v.has(row.service); });
    if (!probes_it) {
      reader.skip("profile '" + row.org + "' has no " + row.service + " probes");
      continue;
    }
    const Variant& v = variant_for(profile->second, row.src, row.service);
    // Up to 0.6 s in: with round trips below 0.27 s the probe itself still lands in the row's second.
    int64_t start = row.ts_us + int64_t(rng.below(600000));
    SessionCtx ctx = ctx_towards(rng, start, row.src, sensors);
    plan_profile_session(ctx, v, row.service, ports.next(row.src), plan);
    last = std::max(last, row.ts_us);
    emit.advance(last - kHourUs);
    emit.write(plan, attribution(profile->second, v));
  }
  result.skipped_rows = reader.skipped();
  result.problems = reader.problems();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read scenario file " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ProfileSet load_profiles(const SimulateOptions& o) {
  if (o.profiles.empty()) return parse_profiles(embedded_profile_files());
  return parse_profiles(read_profile_dir(o.profiles));
}

const std::set<std::string> kBuiltIn = {"demo", "replay", "scale"};

// --shift-from: a day (its midnight UTC) or a second.
int64_t shift_from_us(const std::string& text) {
  int64_t us = 0;
  if (parse_skeleton_time(text.size() == 10 ? text + "T00:00:00Z" : text, us)) return us;
  throw std::invalid_argument("--shift-from: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" + text.substr(0, 40) +
                              "'");
}

void check(const SimulateOptions& o) {
  if (o.out.empty()) throw std::invalid_argument("--out is required");
  if (o.scenario.empty()) throw std::invalid_argument("--scenario is required");
  bool file = !kBuiltIn.count(o.scenario);
  if (file && !std::filesystem::is_regular_file(o.scenario))
    throw std::invalid_argument("unknown scenario '" + o.scenario +
                                "' (expected demo, replay, scale or a scenario JSON file)");
  if (o.scenario != "scale" && o.packets != 0)
    throw std::invalid_argument("--packets applies to the scale scenario only");
  if (o.scenario == "replay" && o.skeleton.empty()) throw std::invalid_argument("replay needs --skeleton FILE");
  if (o.scenario != "replay" && !o.skeleton.empty())
    throw std::invalid_argument("--skeleton applies to the replay scenario only");
  if (o.scenario == "scale" && !o.shift_from.empty())
    throw std::invalid_argument("--shift-from does not apply to the scale scenario");
  if (!o.shift_from.empty()) shift_from_us(o.shift_from);
  parse_log_kinds(o.logs);
}

// Beside the captures: DIR/NAME, or FILE.NAME for a single capture file.
std::string beside(const SimulateOptions& o, bool per_day, const std::string& name) {
  return per_day ? (std::filesystem::path(o.out) / name).string() : o.out + "." + name;
}

std::string shift_text(const SimulateOptions& o, const std::vector<std::string>& changes) {
  std::string out = "# profiles shifted for the sessions from " + o.shift_from +
                    " on (scannergrouper simulate --shift-from); one change a line\n";
  for (const auto& c : changes) out += c + "\n";
  return out;
}

}  // namespace

SimulateResult run(const SimulateOptions& o) {
  check(o);
  bool per_day = wants_directory(o.out);
  if (per_day) std::filesystem::create_directories(o.out);

  SimulateResult result;
  std::optional<ProfileSet> set;
  std::optional<ShiftedProfiles> shifted;
  std::optional<ScenarioSpec> spec;
  if (o.scenario != "scale") set = load_profiles(o);
  if (!o.shift_from.empty()) {
    shifted = shift_profiles(*set);
    result.shift_changes = shifted->changes;
  }
  if (o.scenario == "demo")
    spec = parse_scenario("demo", embedded_demo_scenario(), *set);
  else if (!kBuiltIn.count(o.scenario))
    spec = parse_scenario(o.scenario, read_text(o.scenario), *set);
  uint64_t seed = spec && spec->seed && !o.seed_set ? *spec->seed : o.seed;
  static const ProfileSet kNone;  // scale draws from its archetypes, not from profiles
  ProfileEpochs sets{set ? *set : kNone, shifted ? &shifted->profiles : nullptr,
                     shifted ? shift_from_us(o.shift_from) : 0};

  CaptureOutput output(o.out, per_day);
  OrderingSink ordered(output);
  Rng rng(seed);
  LogKinds kinds = parse_log_kinds(o.logs);
  std::optional<SensorLogs> logs;
  if (kinds.any())
    logs.emplace(kinds, beside(o, per_day, "eve.json"), beside(o, per_day, "zeek"), beside(o, per_day, "zeek-json"),
                 seed);
  SensorLogs* log = logs ? &*logs : nullptr;
  auto run = [&](TruthWriter* truth) {
    if (spec) {
      result.sensor_nets = sensor_nets(*spec);
      run_scenario(*spec, sets, rng, ordered, result, truth, log);
    } else if (o.scenario == "replay") {
      run_replay(o, sets, rng, ordered, result, truth, log);
    } else {
      run_scale(rng, o.packets ? o.packets : kDefaultScalePackets, ordered, result, log);
      result.sensor_nets = {"192.0.2.0/24", "2001:db8::/64"};
    }
    ordered.finish();
    output.close(result);
    if (logs) result.logs = logs->finish();
  };
  if (o.scenario == "scale") {
    run(nullptr);  // templates cloned by the million: no truth (see --help)
  } else {
    // The truth streams into a temporary that replaces truth.tsv only once every session is in it.
    result.truth = beside(o, per_day, "truth.tsv");
    write_file_atomically(result.truth, [&](const std::string& tmp) {
      TruthWriter truth(tmp);
      run(&truth);
      truth.finish();
    });
  }
  if (spec && per_day) {
    result.labels = (std::filesystem::path(o.out) / "labels.tsv").string();
    write_text_atomically(result.labels, scenario_labels_tsv(*spec, *set));
  }
  if (shifted) {
    result.shift = beside(o, per_day, "shift.txt");
    write_text_atomically(result.shift, shift_text(o, shifted->changes));
  }
  std::erase_if(result.sessions_by_service, [](const auto& kv) { return kv.second == 0; });
  return result;
}

std::string demo_labels_tsv() {
  const ProfileSet& set = embedded_profiles();
  return scenario_labels_tsv(parse_scenario("demo", embedded_demo_scenario(), set), set);
}

}  // namespace sg::simulate

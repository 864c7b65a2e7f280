// Scenario files: which organisations, how many sessions and scanner addresses each, over which days, against
// which sensors. `--scenario demo` is the embedded data/scenarios/demo.json; `--scenario FILE` reads one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/cidr.h"
#include "simulate/output.h"
#include "simulate/profile.h"
#include "simulate/shift.h"
#include "simulate/truth.h"

namespace sg::simulate {

struct ScenarioOrg {
  std::string profile;
  uint64_t sessions = 0;
  uint32_t ips = 1, v6_ips = 0;
  std::vector<Cidr> v4, v6;  // where its addresses come from (default: the profile's ranges)
  bool labelled = true;      // written to labels.tsv
  std::string period = "current";
  std::map<std::string, double> services;  // service mix; empty: the profile's activity mix
};

struct ScenarioSpec {
  std::string name;
  int64_t start_us = 0;
  int days = 1;
  std::optional<uint64_t> seed;
  Cidr sensor_v4, sensor_v6;
  int sensors_v4 = 0, sensors_v6 = 0;
  std::vector<ScenarioOrg> orgs;
};

// Throws std::invalid_argument naming the scenario and the problem; profiles must exist in `set`.
ScenarioSpec parse_scenario(const std::string& name, const std::string& text, const ProfileSet& set);
std::vector<IpAddr> sensor_hosts(const ScenarioSpec& s);
std::vector<std::string> sensor_nets(const ScenarioSpec& s);
// Sessions starting at or after sets.from_us are drawn from the shifted profiles; rows go to `truth` if set,
// what the sensor's Suricata and Zeek would log to `logs` if set.
void run_scenario(const ScenarioSpec& s, const ProfileEpochs& sets, Rng& rng, OrderingSink& sink,
                  SimulateResult& result, TruthWriter* truth = nullptr, SensorLogs* logs = nullptr);
// labels.tsv (prefix, org, source, period) of the labelled organisations' address blocks.
std::string scenario_labels_tsv(const ScenarioSpec& s, const ProfileSet& set);

// Sensor choice, hop count and round trip for a session from `src` (stable per source).
SessionCtx ctx_towards(Rng& rng, int64_t start_us, const IpAddr& src, const std::vector<IpAddr>& sensors);
// Source ports that never repeat for one address within 28,232 sessions, as a Linux stack hands them out.
class PortAllocator {
 public:
  uint16_t next(const IpAddr& src);

 private:
  std::unordered_map<uint64_t, uint32_t> used_;
};

}  // namespace sg::simulate

// `simulate`: write captures of simulated scanner traffic (the demo, benchmark inputs).
#include <fmt/format.h>

#include <chrono>

#include "cli/commands.h"
#include "simulate/scenario.h"

namespace sg::cli {

namespace {

void run_simulate(const sim::SimulateOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  sim::SimulateResult r = sim::simulate(opt);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string services;
  for (const auto& [k, v] : r.sessions_by_service) services += fmt::format(" {} {}", k, v);
  fmt::print(stderr, "wrote {} packets, {} sessions ({} ) in {} file(s), {:.1f} MiB, {:.2f} s ({:.0f} packets/s)\n",
             r.packets, r.sessions, services.empty() ? "" : services.substr(1), r.files.size(),
             double(r.bytes) / (1 << 20), secs, secs > 0 ? double(r.packets) / secs : 0.0);
}

}  // namespace

void add_simulate(CLI::App& app) {
  auto opt = std::make_shared<sim::SimulateOptions>();
  auto* cmd = app.add_subcommand("simulate", "Write captures of simulated scanner traffic (demo, benchmarks)");
  cmd->footer(
      "Scenarios: demo  three weeks of sessions from a handful of scanner organisations and tools\n"
      "           scale exactly --packets packets of mixed sessions, for throughput benchmarks\n"
      "--out FILE writes one capture; --out DIR/ writes one capture per day (YYYY-MM-DD.pcap).\n"
      "Examples:\n  scannergrouper simulate --scenario demo --out demo/captures/\n"
      "  scannergrouper simulate --scenario scale --packets 10000000 --out big.pcap");
  cmd->add_option("--scenario", opt->scenario, "demo or scale")->required()->check(CLI::IsMember({"demo", "scale"}));
  cmd->add_option("--out", opt->out, "capture file, or directory for one capture per day")->required();
  cmd->add_option("--seed", opt->seed, "random seed; the same seed writes the same bytes")->capture_default_str();
  cmd->add_option("--packets", opt->packets, "scale scenario: number of packets (default 2000000)");
  cmd->callback([opt] { run_simulate(*opt); });
}

}  // namespace sg::cli

// Training throughput of the IOMatch model (docs/METHOD.md) on synthetic probes of the reference shapes, for both
// backbones. Not a test: it measures, and bench/RESULTS.md records what it printed.
//
//   model_bench --backbone mlp --service all --iterations 2000      # full reference runs
//   model_bench --backbone wrn --service http --iterations 30       # WRN: measure, then extrapolate
//
// Synthetic cells follow the encoder's shapes (side² cells of 0/255, docs/ARCHITECTURE.md "features") with one
// block of cells per organisation, so the network has something to learn; the timing does not depend on the
// values. Probe-level F1 of the two backbones on real encoded probes with a time split is measured end to end
// by `BACKBONE=wrn|mlp bash bench/selfdeploy_eval.sh one-time` (bench/RESULTS.md puts them side by side).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "model/iomatch.h"

namespace {

using namespace sg::model;

struct Service {
  std::string name;
  int side;  // reference image sides (docs/ARCHITECTURE.md "features")
};
const std::vector<Service> kServices{{"http", 23}, {"tls", 26}, {"dns", 16}};

struct Data {
  std::vector<uint8_t> cells;
  std::vector<int> label;
};

Data synthesize(int cells_per_probe, int classes, int probes, double labelled_share, uint64_t seed) {
  Data d;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  const int block = std::max(1, cells_per_probe / (classes + 1));
  d.cells.resize(static_cast<size_t>(probes) * cells_per_probe);
  for (int i = 0; i < probes; ++i) {
    const int org = static_cast<int>(rng() % (classes + 1));  // org == classes: an unknown scanner
    uint8_t* row = d.cells.data() + static_cast<size_t>(i) * cells_per_probe;
    for (int j = 0; j < cells_per_probe; ++j) {
      const bool own = j / block == org;
      row[j] = u(rng) < (own ? 0.7 : 0.05) ? 255 : 0;
    }
    d.label.push_back(org < classes && u(rng) < labelled_share ? org : -1);
  }
  return d;
}

std::string blas_in_use() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line))
    if (line.find("openblas") != std::string::npos) return "openblas";
  return "reference/other";
}

double load_average() {
  double l = -1;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = -1;
    std::fclose(f);
  }
  return l;
}

int run(const std::string& backbone, const std::string& service, const std::string& device, int iterations, int warmup,
        int batch, int uratio, int classes, int probes, int threads, int mlp_hidden);

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Training throughput of the IOMatch model on synthetic probes of the reference shapes.\n"
      "Example: model_bench --backbone mlp --service all --iterations 2000"};
  std::string backbone = "mlp", service = "all", device = "cpu";
  int iterations = 100, warmup = 3, batch = 64, uratio = 7, classes = 20, probes = 20000, threads = 0;
  int mlp_hidden = 512;
  app.add_option("--backbone", backbone, "wrn or mlp")->capture_default_str();
  app.add_option("--service", service, "http, tls, dns or all")->capture_default_str();
  app.add_option("--iterations", iterations, "timed iterations per service (2000 = the reference full run)")
      ->capture_default_str();
  app.add_option("--warmup", warmup, "untimed iterations first (allocator, thread pool)")->capture_default_str();
  app.add_option("--batch", batch, "labelled probes per step")->capture_default_str();
  app.add_option("--uratio", uratio, "unlabelled per labelled")->capture_default_str();
  app.add_option("--classes", classes, "known organisations K")->capture_default_str();
  app.add_option("--probes", probes, "synthetic training probes")->capture_default_str();
  app.add_option("--mlp-hidden", mlp_hidden, "first hidden width of the MLP backbone")->capture_default_str();
  app.add_option("--threads", threads, "libtorch threads, 0 = all cores")->capture_default_str();
  app.add_option("--device", device, "cpu or cuda")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    return run(backbone, service, device, iterations, warmup, batch, uratio, classes, probes, threads, mlp_hidden);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

namespace {

int run(const std::string& backbone, const std::string& service, const std::string& device, int iterations, int warmup,
        int batch, int uratio, int classes, int probes, int threads, int mlp_hidden) {
  if (iterations < 1 || warmup < 0) throw std::invalid_argument("--iterations must be >= 1, --warmup >= 0");
  parse_backbone(backbone);
  if (service != "all" && service != "http" && service != "tls" && service != "dns")
    throw std::invalid_argument("unknown service '" + service + "' (expected http, tls, dns or all)");
  set_threads(threads);
  const char* wait = std::getenv("OMP_WAIT_POLICY");
  std::printf("backbone %s  device %s  threads %d  blas %s  OMP_WAIT_POLICY %s  load average at start %.2f\n",
              backbone.c_str(), device.c_str(), sg::model::threads(), blas_in_use().c_str(), wait ? wait : "(unset)",
              load_average());
  std::printf("B=%d labelled + %d unlabelled per step, K=%d, %d synthetic probes\n", batch, batch * uratio, classes,
              probes);
  // Wall time is what a user waits; CPU time (all threads) shows how much of it was contention when the
  // machine is shared: with one thread, cpu ms/iter is close to the wall time on an idle core.
  std::printf("%-6s %5s %6s %8s %9s %13s %11s %16s\n", "svc", "side", "cells", "iters", "ms/iter", "cpu ms/iter",
              "samples/s", "2000 iters (s)");
  double total_2000 = 0;
  for (const auto& s : kServices) {
    if (service != "all" && service != s.name) continue;
    const int cells = s.side * s.side;
    auto data = synthesize(cells, classes, probes, 0.3, 42);
    ModelConfig cfg;
    cfg.backbone = parse_backbone(backbone);
    cfg.num_classes = classes;
    cfg.side = s.side;
    cfg.input_dim = cells;
    cfg.mlp_hidden = mlp_hidden;
    cfg.seed = 1;
    Model model(cfg);
    TrainSet set{data.cells.data(), cells, data.label};
    TrainOptions o;
    o.batch = batch;
    o.uratio = uratio;
    o.threads = threads;
    o.device = device;
    o.iterations = warmup;
    model.train(set, o);
    o.iterations = iterations;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    auto r = model.train(set, o);
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double per_iter = secs / iterations;
    const double full = per_iter * 2000;
    total_2000 += full;
    std::printf("%-6s %5d %6d %8d %9.1f %13.1f %11.0f %13.1f %s\n", s.name.c_str(), s.side, cells, iterations,
                per_iter * 1000, cpu * 1000 / iterations, batch * (1 + uratio) / per_iter, full,
                iterations == 2000 ? "(measured)" : "(extrapolated)");
    std::printf("       last step: loss %.3f  closed %.3f  multi-binary %.3f  pseudo %.3f  open %.3f\n", r.last.total,
                r.last.closed, r.last.multi_binary, r.last.closed_pseudo, r.last.open_set);
    std::fflush(stdout);
  }
  std::printf("all services, 2000 iterations each: %.1f s\n", total_2000);
  return 0;
}

}  // namespace

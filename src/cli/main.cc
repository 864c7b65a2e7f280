// scannergrouper: which organisations are behind the scanners hitting your sensors.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "capture/reader.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "storage/db.h"
#include "util/terminal.h"
#include "util/verbosity.h"

namespace sg::cli {
int g_exit_code = 0;
}

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace sg::cli {
const char* model_command_help(std::string_view name) {
  for (const auto& c : kModelCommands)
    if (name == c.name) return c.help;
  return "";
}
}  // namespace sg::cli

namespace {

#if defined(SG_HAVE_TORCH) || defined(SG_FORWARD_MODEL_COMMANDS)
bool is_model_command(int argc, char** argv) { return argc >= 2 && *sg::cli::model_command_help(argv[1]); }
#endif

#ifdef SG_HAVE_TORCH
// libtorch's OpenMP threads spin while they wait for work unless OMP_WAIT_POLICY=passive. libgomp reads the
// variable once, when it is loaded (before main), so setting it here needs one re-exec of this same binary
// (scannergrouper sets it before handing a model command over, so that path needs none).
// On 2 shared cores the spinning made a training step 20x slower (bench/RESULTS.md).
void ensure_passive_openmp(int argc, char** argv) {
  if (!is_model_command(argc, argv) || std::getenv("OMP_WAIT_POLICY")) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);  // only returns on failure: carry on with the default policy
}
#endif

#ifdef SG_FORWARD_MODEL_COMMANDS
// scannergrouper itself links no libtorch: a model command runs in scannergrouper-ml, found beside this
// binary, with the same arguments (so its help and errors read as this command's).
int forward_to_model_binary(char** argv) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  auto ml = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / sg::cli::kModelBinary;
  if (!std::getenv("OMP_WAIT_POLICY")) setenv("OMP_WAIT_POLICY", "passive", 1);
  execv(ml.c_str(), argv);
  fmt::print(stderr, "error: '{}' needs {}: {} (build with -DSG_TORCH=ON; see the README)\n", argv[1], ml.string(),
             std::strerror(errno));
  return 1;
}
#endif

// Usage errors exit 2, as in most Unix tools (a failed run exits 1).
constexpr int kUsageError = 2;

// `scannergrouper help [COMMAND...]` is `scannergrouper [COMMAND...] --help`. Null-terminated, for execv.
std::vector<char*> help_as_flag(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  if (argc >= 2 && std::strcmp(argv[1], "help") == 0) {
    static char flag[] = "--help";
    args.erase(args.begin() + 1);
    args.push_back(flag);
  }
  args.push_back(nullptr);
  return args;
}

// "labels import": the command that ran, for the -v timing line.
std::string command_path(CLI::App& app) {
  std::string path;
  for (CLI::App* at = &app; !at->get_subcommands().empty(); at = at->get_subcommands().front())
    path += (path.empty() ? "" : " ") + at->get_subcommands().front()->get_name();
  return path;
}

// The first word, when it is no option and no command: CLI11 would only say "A subcommand is required".
const char* unknown_command(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return nullptr;
  auto known = app.get_subcommands([&](CLI::App* c) { return c->get_name() == argv[1]; });
  return known.empty() ? argv[1] : nullptr;
}

}  // namespace

int main(int argc_in, char** argv_in) {
  std::vector<char*> args = help_as_flag(argc_in, argv_in);  // before the hand-over: `help train` is train's
  int argc = static_cast<int>(args.size()) - 1;
  char** argv = args.data();
#ifdef SG_HAVE_TORCH
  ensure_passive_openmp(argc, argv);
#endif
#ifdef SG_FORWARD_MODEL_COMMANDS
  if (is_model_command(argc, argv)) return forward_to_model_binary(argv);
#endif
  CLI::App app{
      "scannergrouper: attribute Internet scanners to the organisations behind them, from the first probe\n"
      "(HTTP request, TLS ClientHello, DNS query, SSH/RDP hello, TCP SYN) of each session in your captures."};
  app.footer(
      "Typical use (one-time training, then attribution):\n"
      "  scannergrouper ingest --db scanners.db --sensor-net 192.0.2.0/24 captures/  # probes into the database\n"
      "  scannergrouper labels import --db scanners.db lists/      # published scanner ranges: ground truth\n"
      "  scannergrouper select --db scanners.db --until 2025-02-01 # fields by mutual information\n"
      "  scannergrouper train --db scanners.db --until 2025-02-01  # per-service models + ensemble\n"
      "  scannergrouper identify --db scanners.db --from 2025-02-01 --to 2025-02-08\n"
      "  scannergrouper lookup --db scanners.db 198.51.100.7       # who is it, and the evidence\n"
      "  scannergrouper serve --db scanners.db                     # the same as a web page and JSON API\n"
      "Weekly operation: train --incremental, then update --week / identify each week (or `run`).\n"
      "Try it: scannergrouper simulate --scenario demo --out demo/ writes captures and their labels.\n"
      "Run 'scannergrouper COMMAND --help' (or 'scannergrouper help COMMAND') for the options of each command.\n"
      "Every command takes -q (errors and data-loss warnings only on stderr) and -v (more detail); every command\n"
      "that prints a result takes --format, where json is one JSON document on stdout.\n"
      "Usage errors exit 2, failures 1.");
  app.require_subcommand(1);
  app.set_version_flag("--version", "scannergrouper 0.1.0");
  sg::cli::add_extract(app);
  sg::cli::add_ingest(app);
  sg::cli::add_probes(app);
  sg::cli::add_simulate(app);
  sg::cli::add_lookup(app);
  sg::cli::add_export(app);
  sg::cli::add_select(app);
  sg::cli::add_migrate(app);
#ifdef SG_HAVE_TORCH
  sg::cli::add_train(app);
  sg::cli::add_update(app);
  sg::cli::add_refit(app);
  sg::cli::add_identify(app);
  sg::cli::add_evaluate(app);
  sg::cli::add_run(app);
#else
  // Listed here; scannergrouper-ml runs them (main hands them over before parsing). A build without
  // libtorch has no such binary, and says so.
  for (const auto& c : sg::cli::kModelCommands)
    app.add_subcommand(c.name, c.help)->allow_extras()->callback([name = std::string(c.name)] {
      throw std::runtime_error("'" + name +
                               "' needs the models, and this build has none (configure with "
                               "-DSG_TORCH=ON)");
    });
#endif
  sg::cli::add_clusters(app);
  sg::cli::add_report(app);
  sg::cli::add_serve(app);
  sg::cli::add_sense(app);
  sg::cli::add_labels(app);
  sg::cli::add_abuse(app);
  sg::cli::add_verbosity_options(app);  // after every command is registered: all of them get -q and -v
  if (const char* unknown = unknown_command(app, argc, argv)) {
    fmt::print(stderr, "error: unknown command '{}'; run 'scannergrouper --help' for the list\n",
               sg::term_safe(unknown));
    return kUsageError;
  }
  int rc = sg::cli::g_exit_code;
  const auto start = std::chrono::steady_clock::now();
  try {
    try {
      app.parse(argc, argv);
      rc = sg::cli::g_exit_code;
      if (sg::verbose())
        fmt::print(stderr, "{}: {:.2f} s\n", command_path(app),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    } catch (const CLI::ParseError& e) {
      rc = app.exit(e);               // --help and usage errors print too
      if (rc != 0) rc = kUsageError;  // CLI11's own codes (105, 106, ...) mean nothing to a shell script
    }
    sg::cli::finish_stdout();  // what was printed must have reached its file: a failed write fails the command
  } catch (const std::exception& e) {
    // one clear line, non-zero exit (README, Bad input)
    fmt::print(stderr, "error: {}\n", sg::cli::failure_text(e));
    return 1;
  }
  return rc;
}

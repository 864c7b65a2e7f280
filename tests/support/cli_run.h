// Runs the scannergrouper binary (SG_BINARY) with arguments, as an analyst would: exit status and the
// combined stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace sgtest {

struct CliResult {
  int rc;
  std::string out;
};

// `command` is a binary, possibly with environment assignments before it ("LD_DEBUG=files /path/bin").
inline CliResult run_binary(const std::string& command, const std::string& args, bool merge_stderr = true) {
  FILE* p = popen((command + " " + args + (merge_stderr ? " 2>&1" : "")).c_str(), "r");
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

#ifdef SG_BINARY  // the stages whose tests run the binary (tests/CMakeLists.txt RUNS_BINARY)
inline CliResult run_cli(const std::string& args) { return run_binary(SG_BINARY, args); }
#endif

}  // namespace sgtest

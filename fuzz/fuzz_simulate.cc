// libFuzzer: the simulator's inputs from users — probe skeletons (TSV, gzip or plain), profile JSON and
// scenario JSON. Bad input must become a counted skip or an std::invalid_argument, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "simulate/profile.h"
#include "simulate/scenario_file.h"
#include "simulate/skeleton.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/sg_fuzz_skeleton_" + std::to_string(getpid()) + ".tsv";
  std::string text(reinterpret_cast<const char*>(data), size);
  if (FILE* f = fopen(path.c_str(), "wb")) {
    fwrite(data, 1, size, f);
    fclose(f);
    try {
      sg::simulate::SkeletonReader reader(path);
      sg::simulate::SkeletonRow row;
      while (reader.next(row)) {}
    } catch (const std::runtime_error&) {  // a damaged gzip stream
    }
  }
  const sg::simulate::ProfileSet& set = sg::simulate::embedded_profiles();
  try {
    sg::simulate::parse_scenario("fuzz", text, set);
  } catch (const std::invalid_argument&) {}
  static const sg::simulate::ProfileFiles tools = [] {
    sg::simulate::ProfileFiles out;
    for (const auto& f : sg::simulate::embedded_profile_files())
      if (f.first == "tools.json") out.push_back(f);
    return out;
  }();
  sg::simulate::ProfileFiles files = tools;  // the input as a profile beside the tool catalogue
  files.emplace_back("fuzz.json", text);
  try {
    sg::simulate::parse_profiles(files);
  } catch (const std::invalid_argument&) {}
  return 0;
}

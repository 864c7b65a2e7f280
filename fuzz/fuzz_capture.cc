// libFuzzer: whole capture files (pcap, pcapng, gzip, zstd by content) through the reader and the packet
// loop. Damaged input must end in a reported error, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "capture/reader.h"
#include "session/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/sg_fuzz_capture_" + std::to_string(getpid()) + ".pcap";
  FILE* f = fopen(path.c_str(), "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  try {
    auto reader = sg::CaptureReader::open_file(path);
    sg::IngestStats stats;
    sg::SessionTracker tracker(
        {}, [](sg::Probe&) {}, stats);
    sg::run_capture(*reader, tracker, stats, {});
  } catch (const sg::CaptureError&) {}
  return 0;
}

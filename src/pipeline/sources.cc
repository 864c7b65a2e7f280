#include "pipeline/sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <system_error>

#include <sys/stat.h>

#include "logs/source.h"
#include "pipeline/stop.h"

namespace sg::pipeline {

namespace fs = std::filesystem;

namespace {

uint64_t file_size_of(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string without_compression(std::string name) {
  for (const char* z : {".gz", ".zst"})
    if (name.size() > 4 && name.ends_with(z)) name.resize(name.size() - std::string_view(z).size());
  return name;
}

bool is_capture_name(const std::string& file) {
  const std::string name = without_compression(fs::path(file).filename().string());
  return name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".cap");
}

// A candidate for a folder walk: named like a capture or a log. The content decides what it is.
bool is_input_name(const std::string& file) {
  if (is_capture_name(file)) return true;
  std::string name = without_compression(file);
  // logrotate's numbering (eve.json.1)
  if (size_t dot = name.find_last_of('.'); dot != std::string::npos && dot + 1 < name.size() &&
                                           name.find_first_not_of("0123456789", dot + 1) == std::string::npos)
    name.resize(dot);
  return name.ends_with(".log") || name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".ndjson");
}

void run_log(const std::string& path, const std::string& name, logs::LogFormat format, const SourceHooks& hooks,
             SourceEvents& events, IngestStats& total, size_t index, size_t count) {
  IngestStats st;
  events.file_started(index, count);
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t size = 0;
  try {
    auto file = DecodedFile::open(path, name);
    size = file->file_size();
    logs::LogCallbacks cb;
    cb.probe = [&](const Probe& p) { hooks.probe(p); };
    cb.bad_line = [&](const std::string& m) { events.bad_record(m); };
    cb.stop = &stop_flag();
    if (events.wants_progress()) {
      cb.progress = [&](uint64_t records, uint64_t probes) {
        Progress p;
        p.file = &name;
        p.done_bytes = file->compressed_offset();
        p.total_bytes = size;
        p.packets = records;  // a log's records stand where a capture's packets do
        p.probes = probes;
        events.progress(p, index, count);
      };
    }
    logs::read_log(*file, name, format, cb, st);
  } catch (const CaptureError& e) {  // the file went away between the sniff and the read
    st.file_errors[name] = e.what();
  }
  events.file_finished(name, st, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), size);
  if (auto err = st.file_errors.find(name); err != st.file_errors.end()) events.damaged(err->second);
  hooks.end(name, st);
  total.merge(st);
}

void run_one(CaptureReader& reader, const SessionConfig& cfg, const SourceHooks& hooks, SourceEvents& events,
             IngestStats& total, size_t index, size_t count) {
  IngestStats st;
  SessionTracker tracker(
      cfg, [&](Probe& p) { hooks.probe(p); }, st);
  events.file_started(index, count);
  LoopOptions loop;
  loop.stop = &stop_flag();
  if (events.wants_progress()) loop.progress = [&](const Progress& p) { events.progress(p, index, count); };
  const auto t0 = std::chrono::steady_clock::now();
  run_capture(reader, tracker, st, loop);
  events.file_finished(reader.name(), st, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                       reader.file_size());
  // The one message for the damage; the summary does not repeat it (IngestStats::summary).
  if (reader.failed()) events.damaged(reader.error());
  hooks.end(reader.name(), st);
  total.merge(st);
}

}  // namespace

std::vector<std::string> expand_inputs(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(a, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (it->is_regular_file(ec) && is_input_name(it->path().filename().string()))
          found.push_back(it->path().string());
      }
      if (ec) throw std::runtime_error(fmt::format("{}: cannot list directory: {}", a, ec.message()));
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

std::string capture_path(const std::string& arg) {
  if (arg != "-") return arg;
  static std::string spooled;
  if (!spooled.empty()) return spooled;
  FILE* tmp = std::tmpfile();  // unlinked: nothing is left behind, however the run ends
  if (!tmp) throw std::runtime_error(fmt::format("cannot copy standard input: {}", std::strerror(errno)));
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
    if (fwrite(buf, 1, n, tmp) != n)
      throw std::runtime_error(fmt::format("cannot copy standard input: {}", std::strerror(errno)));
  if (ferror(stdin)) throw std::runtime_error(fmt::format("reading standard input: {}", std::strerror(errno)));
  if (fflush(tmp) != 0) throw std::runtime_error(fmt::format("cannot copy standard input: {}", std::strerror(errno)));
  spooled = fmt::format("/dev/fd/{}", fileno(tmp));  // kept open for the rest of the run
  return spooled;
}

std::vector<Cidr> parse_sensor_nets(const std::vector<std::string>& args) {
  std::vector<Cidr> nets;
  for (const auto& a : args) {
    Cidr c;
    if (!parse_cidr(a, c)) throw std::invalid_argument(fmt::format("--sensor-net: not a CIDR prefix: '{}'", a));
    nets.push_back(c);
  }
  return nets;
}

SessionConfig SourceOptions::session_config() const {
  SessionConfig c;
  c.byte_cap = byte_cap;
  c.sensor_nets = parse_sensor_nets(sensor_nets);
  c.syn_only = !no_syn;
  return c;
}

int run_sources(const SourceOptions& opt, const SourceHooks& hooks, SourceEvents& events, IngestStats& total) {
  const SessionConfig cfg = opt.session_config();  // validates the options before any work
  if (!opt.live_iface.empty()) {
    if (!opt.inputs.empty()) throw OptionError("--live", "give either --live or capture files, not both");
    auto reader = CaptureReader::open_live(opt.live_iface, opt.bpf);
    if (!hooks.begin(reader->name())) return 0;
    LiveStop live(*reader);
    install_stop_handlers();
    events.live_started(opt.live_iface);
    run_one(*reader, cfg, hooks, events, total, 0, 1);
    return 0;
  }
  if (!opt.bpf.empty()) throw OptionError("--bpf", "--bpf applies to --live captures only");
  std::vector<std::string> files = expand_inputs(opt.inputs);
  if (files.empty()) throw OptionError("captures", "no capture or log files given (or none found in the directories)");
  std::set<std::string> named;  // given on the command line, not found in a folder
  for (const auto& a : opt.inputs) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) named.insert(a);
  }
  install_stop_handlers();
  events.files_found(files);
  int rc = 0;
  for (size_t i = 0; i < files.size() && !stop_requested(); ++i) {
    std::unique_ptr<CaptureReader> reader;
    try {
      const std::string path = capture_path(files[i]);
      if (auto format = logs::sniff_log(path, files[i])) {
        if (!hooks.begin(files[i])) {
          events.file_passed(file_size_of(path));
          continue;
        }
        run_log(path, files[i], *format, hooks, events, total, i, files.size());
        continue;
      }
      if (!named.count(files[i]) && !is_capture_name(files[i])) {
        // Found in a folder by a log-like name (a honeypot's own JSON log, say) but neither a log nor a
        // capture by content: passed over and counted, not an error of the run.
        total.skip("input: file in a folder named like a log that is not an EVE or Zeek log");
        events.file_passed(file_size_of(path));
        continue;
      }
      reader = CaptureReader::open_file(path, files[i]);
    } catch (const CaptureError& e) {
      events.unreadable(files[i], e.what());  // the message names the file
      total.file_errors[files[i]] = e.what();
      rc = 1;
      continue;
    }
    if (!hooks.begin(files[i])) {
      events.file_passed(reader->file_size());
      continue;
    }
    run_one(*reader, cfg, hooks, events, total, i, files.size());
  }
  if (stop_requested()) events.interrupted();
  return rc;
}

}  // namespace sg::pipeline

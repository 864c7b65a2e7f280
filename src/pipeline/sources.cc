#include "pipeline/sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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

// Raised in a reader thread when the run is being abandoned (an exception on the caller's thread): it unwinds
// the reader without telling anyone.
struct Abandoned {};

constexpr size_t kBatch = 64;
constexpr int kReaderNice = 10;  // how much lower a file's reader runs than the caller's thread (Lanes::reader),
                                 // and a live capture's writer than its reader
constexpr size_t kBatchRecordBytes = size_t(96) << 10;  // a batch's records at first: ingest's are ~1 KiB
constexpr size_t kQueueBudget = size_t(512) << 20;      // bytes of probes waiting for their file's turn

// Lowers the calling thread (Linux: nice is per thread) by `levels` steps. A hint: failure is fine.
void lower_this_thread(int levels) {
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, tid);
  if (errno == 0) ::setpriority(PRIO_PROCESS, tid, std::min(nice + levels, 19));
}

// Runs `f` on a thread of its own, `levels` nice steps lower, and rethrows what it threw: a lowered thread
// cannot be raised again without privilege, so the caller's own thread is left as it is.
template <class F>
void run_lowered(int levels, F f) {
  std::exception_ptr error;
  std::thread t([&] {
    lower_this_thread(levels);
    try {
      f();
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) std::rethrow_exception(error);
}

// What a reader hands the caller's thread at a time: a few dozen steps of a file's reading in the order they
// happened, each a probe or a call (an event, begin, end; a call returning false drops the rest of its file,
// begin refused it). With hooks.encode a probe travels as its record only, the records of a batch one after
// another in one buffer: no heap block per probe is allocated on one thread and freed on the other.
struct Batch {
  struct Step {
    size_t offset = 0, size = 0;  // a record's bytes in `records`, or a Probe's index in `probes` (no encode)
    std::function<bool()> call;   // set for a call
  };
  std::string records;
  std::vector<Probe> probes;
  std::vector<Step> steps;
  size_t bytes() const {  // what it holds in memory, a Probe's own strings taken as a KiB
    return sizeof(Batch) + records.capacity() + steps.capacity() * sizeof(Step) +
           probes.capacity() * (sizeof(Probe) + 1024);
  }
};

class Lanes;

// Where a file's reading goes: straight to the hooks and events (one file at a time, on the caller's
// thread), or to the file's lane, for the caller's thread to replay in file order.
class Relay {
 public:
  Relay(const SourceHooks& hooks, SourceEvents& events) : hooks_(hooks), events_(events) {}
  Relay(const SourceHooks& hooks, SourceEvents& events, Lanes& lanes, size_t lane)
      : hooks_(hooks), events_(events), lanes_(&lanes), lane_(lane) {}

  // Whether to read the file: begin's answer now, or (queued) unless prepare refused it; begin may still
  // refuse it in its turn, and what was read of it is then dropped.
  bool begin(const std::string& name, const PreparedSource& prepared, uint64_t size) {
    auto call = [&hooks = hooks_, &events = events_, name, prepared, size] {
      if (hooks.begin(name, prepared) && !prepared.refuse) return true;
      events.file_passed(size);
      return false;
    };
    if (!lanes_) return call();
    push_call(std::move(call));
    return !prepared.refuse;
  }
  void probe(Probe&& p) {
    if (!hooks_.encode) {
      if (!lanes_) return hooks_.probe(p);
      batch_.steps.push_back({batch_.probes.size(), 0, {}});
      batch_.probes.push_back(std::move(p));
      return pushed();
    }
    const std::string_view record = hooks_.encode(p);
    if (record.empty()) return;  // left out
    if (!lanes_) return hooks_.record(record);
    if (batch_.records.empty()) batch_.records.reserve(kBatchRecordBytes);
    batch_.steps.push_back({batch_.records.size(), record.size(), {}});
    batch_.records += record;
    pushed();
  }
  void probe(const Probe& p) { probe(Probe(p)); }
  void call(std::function<void()> fn) {
    if (!lanes_) return fn();
    push_call([fn = std::move(fn)] {
      fn();
      return true;
    });
  }
  void finish();  // queued: the file is read; what is batched goes out
  void fail(std::exception_ptr e);

 private:
  void push_call(std::function<bool()> call) {
    batch_.steps.push_back({0, 0, std::move(call)});
    pushed();
  }
  void pushed();  // hands the batch over when full
  const SourceHooks& hooks_;
  SourceEvents& events_;
  Lanes* lanes_ = nullptr;
  size_t lane_ = 0;
  Batch batch_;  // handed over in batches, so that a lock is taken every few dozen probes
};

// The files' lanes between the reader threads and the caller's thread. Readers take files in input order;
// the caller's thread replays lane after lane. The lane being replayed (the head) always takes what its
// reader sends; the others wait while more than budget bytes are queued, which bounds memory whatever the
// files' sizes.
class Lanes {
 public:
  using Read = std::function<void(size_t lane, Relay& out)>;
  Lanes(size_t files, unsigned readers, size_t budget, bool lower_readers, const SourceHooks& hooks,
        SourceEvents& events, Read read)
      : lanes_(files),
        budget_(budget),
        lower_readers_(lower_readers),
        hooks_(hooks),
        events_(events),
        read_(std::move(read)) {
    for (unsigned i = 0; i < readers; ++i) threads_.emplace_back([this] { reader(); });
  }
  ~Lanes() {  // normally all done; after an exception on the caller's thread, the readers give up
    {
      std::lock_guard lk(mu_);
      abandoned_ = true;
    }
    readers_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  Lanes(const Lanes&) = delete;
  Lanes& operator=(const Lanes&) = delete;

  // On the caller's thread: replays every lane in order; returns when all lanes taken are replayed.
  void replay() {
    for (size_t i = 0; i < lanes_.size(); ++i) {
      std::unique_lock lk(mu_);
      caller_cv_.wait(lk, [&] { return lanes_[i].taken || closed_; });
      if (!lanes_[i].taken) return;  // a stop request: no reader took it
      bool dropping = false;
      for (;;) {
        caller_cv_.wait(lk, [&] { return !lanes_[i].batches.empty() || lanes_[i].done; });
        std::vector<Batch> batches;
        batches.swap(lanes_[i].batches);
        const bool done = lanes_[i].done;
        queued_ -= lanes_[i].bytes;
        lanes_[i].bytes = 0;
        lk.unlock();
        readers_cv_.notify_all();
        for (Batch& b : batches) {
          for (Batch::Step& s : b.steps) {
            if (dropping) break;
            if (s.call)
              dropping = !s.call();
            else if (hooks_.encode)
              hooks_.record(std::string_view(b.records).substr(s.offset, s.size));
            else
              hooks_.probe(b.probes[s.offset]);
          }
        }
        lk.lock();
        if (done) break;
      }
      head_ = i + 1;
      lk.unlock();
      readers_cv_.notify_all();
    }
  }

  // From a reader's Relay: appends a batch to a lane, waiting while the queue is over its budget and the lane
  // is not the head.
  void push(size_t lane, Batch&& batch, bool done) {
    const size_t bytes = batch.bytes();
    std::unique_lock lk(mu_);
    readers_cv_.wait(lk, [&] { return abandoned_ || lane <= head_ || queued_ + bytes <= budget_; });
    if (abandoned_) throw Abandoned{};
    Lane& l = lanes_[lane];
    if (!batch.steps.empty()) l.batches.push_back(std::move(batch));
    l.bytes += bytes;
    queued_ += bytes;
    l.done = done;
    if (lane == head_) {
      lk.unlock();
      caller_cv_.notify_one();
    }
  }

 private:
  struct Lane {
    std::vector<Batch> batches;
    size_t bytes = 0;
    bool taken = false, done = false;
  };

  void reader() {
    // The caller's thread replays every file in order and is the one stage that cannot run ahead (ingest's
    // writer: half of all the CPU time). At the same priority the scheduler shared 2 cores three ways and the
    // writer got two thirds of one while the readers queued their files' probes, then wrote the rest alone
    // with the other core idle. Readers of files a step lower let it have a core whenever it has work; they
    // take whatever it leaves. A live capture's reader is not lowered: it must keep up with the packets.
    if (lower_readers_) lower_this_thread(kReaderNice);
    for (;;) {
      size_t i;
      {
        std::lock_guard lk(mu_);
        if (abandoned_ || next_ >= lanes_.size() || stop_requested()) {
          closed_ = true;
          caller_cv_.notify_one();
          return;
        }
        i = next_++;
        lanes_[i].taken = true;
      }
      caller_cv_.notify_one();
      Relay out(hooks_, events_, *this, i);
      try {
        try {
          read_(i, out);
        } catch (const Abandoned&) {
          throw;
        } catch (...) {  // the caller's thread rethrows it in the file's turn
          out.fail(std::current_exception());
          continue;
        }
        out.finish();
      } catch (const Abandoned&) {
        return;
      }
    }
  }

  std::mutex mu_;
  std::condition_variable caller_cv_, readers_cv_;
  std::vector<Lane> lanes_;
  size_t next_ = 0, head_ = 0, queued_ = 0;
  const size_t budget_;
  const bool lower_readers_;
  bool closed_ = false, abandoned_ = false;
  const SourceHooks& hooks_;
  SourceEvents& events_;
  Read read_;
  std::vector<std::thread> threads_;  // last: started once everything above is set
};

void Relay::pushed() {
  if (batch_.steps.size() < kBatch) return;
  lanes_->push(lane_, std::move(batch_), false);
  batch_ = Batch();
}

void Relay::finish() {
  if (!lanes_) return;
  lanes_->push(lane_, std::move(batch_), true);
  batch_ = Batch();
}

void Relay::fail(std::exception_ptr e) {
  call([e] { std::rethrow_exception(e); });
  finish();
}

// What every file's reading shares. total and rc are only touched by calls (the caller's thread).
struct Run {
  const SourceHooks& hooks;
  SourceEvents& events;
  const SessionConfig& cfg;
  const std::vector<std::string>& files;
  IngestStats& total;
  int& rc;
  bool progress;
};

void run_log(const Run& run, const std::string& path, size_t index, logs::LogFormat format, Relay& out) {
  const std::string& name = run.files[index];
  const size_t count = run.files.size();
  IngestStats st;
  out.call([&run, index, count] { run.events.file_started(index, count); });
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t size = 0;
  try {
    auto file = DecodedFile::open(path, name);
    size = file->file_size();
    logs::LogCallbacks cb;
    cb.probe = [&](const Probe& p) { out.probe(p); };
    cb.bad_line = [&](const std::string& m) { out.call([&run, m] { run.events.bad_record(m); }); };
    cb.stop = &stop_flag();
    if (run.progress) {
      cb.progress = [&](uint64_t records, uint64_t probes) {
        Progress p;
        p.file = &name;
        p.done_bytes = file->compressed_offset();
        p.total_bytes = size;
        p.packets = records;  // a log's records stand where a capture's packets do
        p.probes = probes;
        out.call([&run, p, index, count] { run.events.progress(p, index, count); });
      };
    }
    logs::read_log(*file, name, format, cb, st);
  } catch (const CaptureError& e) {  // the file went away between the sniff and the read
    st.file_errors[name] = e.what();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.call([&run, &name, st = std::move(st), seconds, size] {
    run.events.file_finished(name, st, seconds, size);
    if (auto err = st.file_errors.find(name); err != st.file_errors.end()) run.events.damaged(err->second);
    run.hooks.end(name, st);
    run.total.merge(st);
  });
}

void run_one(const Run& run, CaptureReader& reader, size_t index, size_t count, Relay& out) {
  IngestStats st;
  SessionTracker tracker(
      run.cfg, [&](Probe& p) { out.probe(std::move(p)); }, st);  // the tracker is done with p
  out.call([&run, index, count] { run.events.file_started(index, count); });
  LoopOptions loop;
  loop.stop = &stop_flag();
  loop.finish_on_stop = !run.hooks.drop_cut_sessions || reader.live();
  if (run.progress)
    loop.progress = [&](const Progress& p) {
      Progress q = p;
      q.file = &run.files[index];  // outlives the reader, for a call made later on the caller's thread
      out.call([&run, q, index, count] { run.events.progress(q, index, count); });
    };
  const auto t0 = std::chrono::steady_clock::now();
  run_capture(reader, tracker, st, loop);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.call([&run, name = reader.name(), st = std::move(st), seconds, size = reader.file_size(),
            error = reader.failed() ? reader.error() : std::string()] {
    run.events.file_finished(name, st, seconds, size);
    // The one message for the damage; the summary does not repeat it (IngestStats::summary).
    if (!error.empty()) run.events.damaged(error);
    run.hooks.end(name, st);
    run.total.merge(st);
  });
}

// The loop's body for files[index], on whichever thread reads it.
void run_input(const Run& run, const std::set<std::string>& named, size_t index, Relay& out) {
  const std::string& name = run.files[index];
  std::unique_ptr<CaptureReader> reader;
  try {
    const std::string path = capture_path(name);
    if (auto format = logs::sniff_log(path, name)) {
      const PreparedSource prepared = run.hooks.prepare ? run.hooks.prepare(name) : PreparedSource{};
      if (out.begin(name, prepared, file_size_of(path))) run_log(run, path, index, *format, out);
      return;
    }
    if (!named.count(name) && !is_capture_name(name)) {
      // Found in a folder by a log-like name (a honeypot's own JSON log, say) but neither a log nor a
      // capture by content: passed over and counted, not an error of the run.
      out.call([&run, size = file_size_of(path)] {
        run.total.skip("input: file in a folder named like a log that is not an EVE or Zeek log");
        run.events.file_passed(size);
      });
      return;
    }
    reader = CaptureReader::open_file(path, name);
  } catch (const CaptureError& e) {
    out.call([&run, &name, error = std::string(e.what())] {
      run.events.unreadable(name, error);  // the message names the file
      run.total.file_errors[name] = error;
      run.rc = 1;
    });
    return;
  }
  const PreparedSource prepared = run.hooks.prepare ? run.hooks.prepare(name) : PreparedSource{};
  if (out.begin(name, prepared, reader->file_size())) run_one(run, *reader, index, run.files.size(), out);
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

unsigned SourceOptions::effective_jobs() const {
  if (jobs > 0) return jobs;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return unsigned(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

// A live capture keeps of each packet what a probe can use: the byte cap of a first message and room for
// its headers (link, VLANs, IP and TCP options, up to four tunnels). libpcap gives every packet of the ring
// a slot that size where the MTU allows it: at 65,535 bytes (loopback's 64 KiB MTU) a 64 MiB ring held
// about 1,000 packets and a 700-850 Mbit/s replay lost 0.2-0.7% of them (bench/RESULTS.md).
// Only a UDP datagram longer than the cap plus that room (possible only where the MTU allows it) is
// analysed as far as it was kept.
int live_snaplen(const SessionConfig& cfg) {
  constexpr size_t kHeaderRoom = 1024;
  return static_cast<int>(std::min<size_t>(cfg.byte_cap + kHeaderRoom, 262144));
}

}  // namespace

int run_sources(const SourceOptions& opt, const SourceHooks& hooks, SourceEvents& events, IngestStats& total) {
  const SessionConfig cfg = opt.session_config();  // validates the options before any work
  const unsigned jobs = opt.effective_jobs();
  int rc = 0;
  if (!opt.live_iface.empty()) {
    if (!opt.inputs.empty()) throw OptionError("--live", "give either --live or capture files, not both");
    auto reader = CaptureReader::open_live(opt.live_iface, opt.bpf, live_snaplen(cfg));
    const std::vector<std::string> files{reader->name()};
    const PreparedSource prepared = hooks.prepare ? hooks.prepare(reader->name()) : PreparedSource{};
    if (!hooks.begin(reader->name(), prepared) || prepared.refuse) return 0;
    LiveStop live(*reader);
    install_stop_handlers();
    events.live_started(opt.live_iface);
    const Run run{hooks, events, cfg, files, total, rc, events.wants_progress()};
    if (jobs == 1) {
      Relay out(hooks, events);
      run_one(run, *reader, 0, 1, out);
    } else {  // with a core to spare, the store's writes do not hold up the packets
      Lanes lanes(1, 1, kQueueBudget, false, hooks, events,
                  [&](size_t, Relay& out) { run_one(run, *reader, 0, 1, out); });
      // The reader must take every packet as it comes; the store's writer has a queue and only needs to keep
      // up on average. Run a step lower, the writer's commits no longer hold the reader off the shared core
      // while the ring fills (bench/RESULTS.md, live capture).
      run_lowered(kReaderNice, [&] { lanes.replay(); });
    }
    if (LiveCounters c; reader->live_counters(c)) events.live_finished(c);
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
  const Run run{hooks, events, cfg, files, total, rc, events.wants_progress()};
  const unsigned readers = static_cast<unsigned>(std::min<size_t>(jobs, files.size()));
  if (readers <= 1) {
    Relay out(hooks, events);
    for (size_t i = 0; i < files.size() && !stop_requested(); ++i) run_input(run, named, i, out);
  } else {
    for (const auto& f : files)
      if (f == "-") capture_path(f);  // standard input is spooled once, before the readers share it
    Lanes lanes(files.size(), readers, kQueueBudget, true, hooks, events,
                [&](size_t i, Relay& out) { run_input(run, named, i, out); });
    lanes.replay();
  }
  if (stop_requested()) events.interrupted();
  return rc;
}

}  // namespace sg::pipeline

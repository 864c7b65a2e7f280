#include "pipeline/ingest.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <mutex>

#include "export/json.h"
#include "labels/import_run.h"
#include "pipeline/stop.h"
#include "util/hash.h"

namespace sg::pipeline {

namespace {

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

IngestOutcome ingest_captures(ProbeStore& store, const SourceOptions& opt, SourceEvents& events) {
  IngestOutcome out;
  out.first_new_probe_id = labels::max_probe_id(store.db());
  const uint64_t probes_before = store.new_probes();
  const uint64_t replaced_before = store.replaced_probes(), duplicates_before = store.duplicate_probes();
  const bool live = !opt.live_iface.empty();
  if (opt.effective_jobs() > 1) store.checkpoint_in_background();  // the writer's thread is the critical path
  int64_t capture_id = 0;
  // The store is written on this thread (begin, probe, end: one writer, in file order); readers of other
  // files ask it whether a file is complete already (prepare), so every use of it takes the lock.
  std::mutex store_mu;
  SourceHooks hooks;
  hooks.prepare = [&](const std::string& path) {
    PreparedSource pr;
    if (live) {
      pr.key = fmt::format("live:{}:{}", opt.live_iface, std::chrono::system_clock::now().time_since_epoch().count());
      return pr;
    }
    pr.key = sha256_file(capture_path(path));  // the long part, done on the reader's thread
    std::lock_guard lk(store_mu);
    auto rec = store.find_capture(pr.key);
    pr.refuse = rec && rec->status != "ingesting";  // complete and damaged are final
    return pr;
  };
  hooks.begin = [&](const std::string& path, const PreparedSource& pr) {
    std::lock_guard lk(store_mu);
    // Asked again in its turn: an earlier file of this run may have had the same content.
    if (auto rec = store.find_capture(pr.key); !live && rec && rec->status != "ingesting") {
      events.already_ingested(path, rec->status, rec->path);
      out.skipped.push_back({path, rec->status, rec->path});
      ++out.files_skipped;
      return false;
    }
    capture_id = store.begin_capture(pr.key, path, live ? 0 : file_size(capture_path(path)));
    return true;
  };
  hooks.drop_cut_sessions = true;  // an interrupted capture stays 'ingesting' and is read again
  // The stored columns are packed on the thread that read the probe; the writer copies them into its batch.
  hooks.encode = [](const Probe& p) {
    thread_local std::string packed;
    packed.clear();
    pack_probe(p, probe_to_jsonl_view(p), packed);
    return std::string_view(packed);
  };
  hooks.record = [&](std::string_view packed) {
    std::lock_guard lk(store_mu);
    store.add_packed(capture_id, packed);
  };
  hooks.end = [&](const std::string& path, const IngestStats& st) {
    std::lock_guard lk(store_mu);
    if (stop_requested() && !live) {
      store.flush();  // kept; the capture stays 'ingesting' and the next run completes it
      return;
    }
    auto err = st.file_errors.find(path);
    store.finish_capture(capture_id, st, err == st.file_errors.end() ? "" : err->second);
    ++out.files_ingested;
  };
  auto t0 = std::chrono::steady_clock::now();
  out.exit_code = run_sources(opt, hooks, events, out.total);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.interrupted = stop_requested();
  out.new_probes = store.new_probes() - probes_before;
  out.replaced_probes = store.replaced_probes() - replaced_before;
  out.duplicate_probes = store.duplicate_probes() - duplicates_before;
  out.labelled = labels::label_new_probes(store.db(), out.first_new_probe_id);  // ground truth for what was added
  return out;
}

}  // namespace sg::pipeline

#include "pipeline/run_passes.h"

#include "labels/import_run.h"

namespace sg::pipeline {

IngestPassResult ingest_pass(ProbeStore& store, const IngestPassOptions& opt, SourceEvents& events,
                             const std::function<std::optional<int64_t>(Db&)>& reported_until) {
  IngestPassResult out;
  if (expand_inputs({opt.captures}).empty()) {
    out.no_captures = true;
    return out;
  }
  SourceOptions src;
  src.inputs = {opt.captures};
  src.sensor_nets = opt.sensor_nets;
  src.no_syn = opt.no_syn;
  out.outcome = ingest_captures(store, src, events);
  if (out.outcome.new_probes)
    if (auto until = reported_until(store.db()))
      out.late_probes = count_probes_after_id_before(store.db(), out.outcome.first_new_probe_id, *until);
  return out;
}

LabelsPassResult labels_pass(Db& db, const std::vector<std::string>& paths) {
  labels::ImportRequest req;
  req.paths = paths;
  auto r = labels::run_import(db, req);
  LabelsPassResult out;
  for (const auto& f : r.files)
    out.imported_files += f.status == labels::FileStatus::imported || f.status == labels::FileStatus::replaced;
  out.unchanged_files = r.files.size() - out.imported_files;
  out.relabel = r.relabel;
  out.seconds = r.seconds;
  return out;
}

}  // namespace sg::pipeline

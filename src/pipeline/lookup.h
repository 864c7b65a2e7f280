// What the scanner database knows about one ip (`lookup`): its stored probes by service and their span,
// what the label lists say of them, the evidence in its latest probes, and the attribution of each window
// with its confidence, evidence kind, reason and per-service votes. Needs no model: labels and evidence are
// there right after ingest.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "storage/db.h"
#include "storage/scanner_store.h"

namespace sg::pipeline {

// An ip that probed for years has millions of probes; its latest ones carry the evidence worth showing.
constexpr int kLookupEvidenceProbes = 20000;

// One JSON object: ip, probes, probes_by_service, first_probe/last_probe (when it has probes), labels
// [{org, probes, sources}], evidence {kind: [[value, count], ...]} over its latest kLookupEvidenceProbes
// probes, windows [...] ascending and org (the latest window's, or null). `ip` is canonical text, as stored.
nlohmann::json lookup_ip(Db& db, ScannerStore& scanners, const std::string& ip);

}  // namespace sg::pipeline

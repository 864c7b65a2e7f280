// Public header of the labelling module (README, Labels): ground truth per (ip, time) from published scanner
// lists, rDNS rules and manual CSVs; the evaluation-unknown set; search-engine tagging.
#pragma once

#include "labels/aliases.h"       // organisation names
#include "labels/conflicts.h"     // disagreements between sources
#include "labels/explain.h"       // what the lists say of one address
#include "labels/import_run.h"    // `labels import` and ingest-time labelling
#include "labels/importers.h"     // list formats
#include "labels/label_store.h"   // tables, eval_unknown(Db&)
#include "labels/period.h"        // validity periods
#include "labels/policy.h"        // which label an address gets
#include "labels/prefix_index.h"  // longest-prefix lookup
#include "labels/rdns.h"          // PTR rules
#include "labels/tagging.h"       // search-engine tags

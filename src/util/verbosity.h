// How much a command says on stderr besides its result, one process-wide level set by -q/-v (every command
// accepts both: cli/main.cc). Results (stdout, --format json) never depend on it; errors and warnings about
// lost or skipped data print at every level, since a quiet run must still tell what it did not do.
#pragma once

namespace sg {

enum class Verbosity { quiet, normal, verbose };

void set_verbosity(Verbosity v);
Verbosity verbosity();
// Progress lines, summaries on stderr and other informational messages print unless -q.
inline bool chatty() { return verbosity() != Verbosity::quiet; }
// Extra detail (per-file lines, stage logs, timings) prints only with -v.
inline bool verbose() { return verbosity() == Verbosity::verbose; }

}  // namespace sg

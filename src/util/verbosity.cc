#include "util/verbosity.h"

#include <atomic>

namespace sg {

namespace {
// Atomic: progress callbacks may read it from worker threads.
std::atomic<Verbosity> g_level{Verbosity::normal};
}  // namespace

void set_verbosity(Verbosity v) { g_level.store(v); }
Verbosity verbosity() { return g_level.load(); }

}  // namespace sg

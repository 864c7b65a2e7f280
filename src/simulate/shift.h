// Shifted profiles (`simulate --shift-from DATE`): the same organisations some months later, for testing
// whether an attribution model generalises to changed behaviour rather than to the exact bytes it was
// trained on. The changes follow how scanners change over time, decided from the profiles alone (never from a
// model's errors):
//   (a) new releases bump the versions inside User-Agent strings (browser majors, python-requests, curl,
//       zgrab, an organisation's own crawler "/1.0" -> "/1.1"); frozen tokens (Mozilla/5.0, AppleWebKit/537.36,
//       Safari/537.36, Go-http-client/1.1, which names the HTTP version) stay;
//   (b) a new TLS library release reorders its cipher suites and extensions, and only some of its users
//       upgrade; a rewritten HTTP client sends its headers in another order;
//   (c) some organisations add a way of probing (a new URI path, a new port set, a new TLS client) that
//       takes about a quarter of that service's sessions;
//   (d) more unknown actors run the public tools organisations use: unknown tools whose TLS client an
//       organisation also uses get twice the share (an unknown address keeps its tool by a hash weighted by
//       the shares, so some addresses switch tools at the date), and new "copycat" tools send an
//       organisation's payloads that carry nothing organisation-specific (no crawler token, URL or name).
// Which entries change is decided by hashes of organisation, tool and entry names, so the shift is the same
// for every seed and every run; only the sessions drawn from the shifted profiles depend on the seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "simulate/profile.h"

namespace sg::simulate {

struct ShiftedProfiles {
  ProfileSet profiles;
  std::vector<std::string> changes;  // one line per change, for people ("ua-version: censys http[0] ...")
};

ShiftedProfiles shift_profiles(const ProfileSet& in);

// A deep copy (entries re-pointed into the copy's tool catalogue).
ProfileSet copy_profiles(const ProfileSet& in);

// Suffix of an unknown tool's name once the shift changed its payloads: the truth's population then tells
// the shifted tool from the original.
inline constexpr const char* kShiftedSuffix = "+shifted";

// The profiles in force at a time: the shifted ones from `from_us` on, when there are any.
struct ProfileEpochs {
  const ProfileSet& before;
  const ProfileSet* after = nullptr;
  int64_t from_us = 0;
  const ProfileSet& at(int64_t ts_us) const { return after && ts_us >= from_us ? *after : before; }
};

}  // namespace sg::simulate

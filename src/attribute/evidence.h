// Payload-evidence attribution, the default method: who sent the same payload before?
//
// From every probe before the training cut (labelled or not) it counts, for each payload key (see
// match_key.h), the distinct source ips of each known organisation, of labelled ips outside the known
// classes (evaluation-unknown organisations such as Censys, organisations too rare to learn), and of ips no
// list covers. A payload that labelled ips of one organisation send and nobody else does names that
// organisation with confidence; a payload that unlisted ips across the Internet send as well is a public
// tool's default and names nobody. A probe whose exact payload was never seen falls back to the payloads
// that are the same once versions and list order are taken out (a new user-agent version, a reordered
// cipher list), and then to those that differ from it in one field only, pooled. Last, the network level:
// a payload an organisation sends among others (a public tool's default it also uses) names it when the
// ip's /24 (/48), or else its /16 (/32), held listed ips of that organisation in training, a signal of its
// own that is shown as such (evidence kind "network") and can be turned off.
//
// Per (window, ip) the evidence of each distinct payload the ip sent (every service, not only http/tls/dns)
// is combined by a noisy-OR per organisation; the best organisation's score is turned into a confidence by
// an isotonic calibration measured on the training windows themselves, each training ip scored with its
// own probes left out of the counts (leave-one-ip-out) and a name for an unlisted ip counted as wrong, so
// the confidence estimates how often such a name is right, measured before any test week is seen; the
// near level is calibrated by scoring each training payload as if it had never been seen. A name is given
// when that confidence reaches max(0.5, θ), θ chosen on the labelled training rows for the best weighted
// F1 (the paper's search): a name that is more likely wrong than right is never given.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aggregate/window.h"
#include "attribute/match_key.h"
#include "features/json_access.h"
#include "storage/db.h"

namespace sg::attribute {

// Why a row has its name (or none). Stored in the scanner table and shown by lookup and exports.
enum class EvidenceKind {
  exact_payload,  // an organisation-specific payload, seen before from that organisation's listed ips
  near_payload,   // a variant of that organisation's payloads: versions/order only, or one field apart
  network,        // a payload that organisation sends (among others), from a network where its listed ips
                  // scanned before
  learned,        // the learned model's vote (the iomatch method)
  public_tool,    // its payloads are also sent by unlisted or other ips: a public tool's default → unknown
  weak,           // some evidence, too little for a name → unknown
  no_match,       // nothing like its payloads was seen from a known organisation → unknown
};
const char* evidence_kind_name(EvidenceKind k);

struct AttributorOptions {
  double smoothing = 1.0;      // β: a payload seen from one ip of X names X with raw score 1/(1+β)
  double min_threshold = 0.5;  // the confidence floor of a name
  bool network = true;         // also the network level (off: names rest on payloads alone)
};

// The networks an address belongs to for the network levels, hashed: narrow /24 (IPv4) or /48 (IPv6),
// wide /16 or /32; 0 when the text is not an address.
struct Nets {
  KeyHash narrow = 0, wide = 0;
};
Nets network_keys(std::string_view ip);

// Distinct source ips per sender class of one payload key.
struct Senders {
  std::vector<std::pair<int, int32_t>> known;  // (known class, ips), sparse
  int32_t other_labelled = 0;                  // labelled, not a known class
  int32_t unlabelled = 0;
  // cls: a known class, K = other labelled, K+1 = unlabelled (K = number of known classes)
  void add(int cls, int K, int32_t n);
  void add(const Senders& o, int32_t factor = 1);  // factor -1 takes o away (never below 0)
  int32_t of(int cls) const;
  int32_t total() const;
  int32_t known_total() const;
};

// One scored (window, ip).
struct IpDecision {
  int cls = -1;           // known class index, -1 = unknown
  double raw = 0;         // noisy-OR score of the best class
  double confidence = 0;  // calibrated: how often such a name was right in training
  int level = -1;         // the evidence level of the name (0 exact, 1 coarse, 2 near, 3 /24 network, 4 /16 network)
  EvidenceKind kind = EvidenceKind::no_match;
  std::string reason;             // one line for people
  std::vector<int> service_best;  // per probe service (Service enum index): best class of its keys, -1 none
};

// A probe as attribution sees it.
struct ProbeKeys {
  Service service = Service::other;
  KeyHash whole = 0;
  KeyHash coarse = 0;         // versions and list order taken out (match_key.h)
  std::vector<KeyHash> near;  // key_without(i) for every field i
};

// Who sent each payload in the windows being identified: the /16 (/32) of every distinct sender, so the
// decision can see a payload spreading beyond its organisation's networks in the very week it is named
// (addresses only: no label of the window is read).
class WindowSenders {
 public:
  void add(int64_t window, KeyHash whole, KeyHash wide_net);
  const std::vector<KeyHash>* of(int64_t window, KeyHash whole) const;

 private:
  std::unordered_map<KeyHash, std::vector<KeyHash>> nets_;
};

class Attributor {
 public:
  // Counts every probe with ts < cut_us; `classes` are the known organisations (org_key form).
  static Attributor build(Db& db, const std::vector<std::string>& classes, int64_t cut_us, const aggregate::Windows& w,
                          const AttributorOptions& opt = {});

  const std::vector<std::string>& classes() const { return classes_; }
  double theta() const { return theta_; }
  int64_t cut_us() const { return cut_us_; }
  size_t training_rows() const { return train_rows_; }
  double training_f1() const { return train_f1_; }

  // Keys of one parsed probe of `service`; false when the service has no key or the probe no section.
  bool keys(const features::ProbeDoc& probe, Service service, ProbeKeys& out) const;

  // The decision for one ip (its network_keys) from the distinct keys it sent in a window. With the
  // window's senders, a payload name for an ip outside every network of that organisation is kept only as
  // far as the organisation's own new addresses explain the payload's senders from outside its networks
  // that window (the rate at which its listed ips appeared in new /16s in training): an organisation's
  // payload suddenly sent from many foreign networks has been copied, and names nobody. Payloads that name
  // their organisation (its name in the user agent, URI, DNS name...) are exempt: they claim an identity.
  IpDecision decide(const std::vector<ProbeKeys>& keys, const Nets& nets, const WindowSenders* window = nullptr,
                    int64_t window_start = 0) const;
  // The same for a row of window_keys(); the network levels then leave the ip's own training labels out,
  // so they speak of the other listed ips of its network.
  IpDecision decide(const struct WindowIp& row, const WindowSenders* window) const;
  // A single probe's best class (-1 unknown) and its raw score, for probe-level evaluation.
  std::pair<int, double> probe_class(const ProbeKeys& k) const;

 private:
  // Evidence of one key, optionally without one training ip's own contributions (leave-one-ip-out).
  Senders exact(KeyHash k, int32_t loo_ip) const;
  Senders near(const ProbeKeys& k, int32_t loo_ip) const;
  struct Candidates;
  // The payload and network candidates of one ip; unseen: each key scored as if its exact payload had
  // never been seen (calibrates the variant levels).
  // net_loo: the ip whose own training labels the network levels leave out (-2: the same as loo_ip).
  Candidates candidates(const std::vector<ProbeKeys>& keys, const Nets& nets, int32_t loo_ip, bool unseen,
                        int32_t net_loo = -2) const;
  IpDecision decide(const Candidates& c, const Nets* nets = nullptr, const WindowSenders* window = nullptr,
                    int64_t window_start = 0) const;
  // The share of a payload's senders outside `cls`'s networks this window that its own new addresses explain.
  double explained_outside(int cls, KeyHash whole, const WindowSenders& window, int64_t window_start,
                           size_t* outside) const;
  // Levels of evidence: 0 the exact payload, 1 its coarse form, 2 one field apart, 3 and 4 network.
  double calibrate(int level, double raw) const;
  struct TrainRow {
    std::vector<ProbeKeys> keys;
    Nets nets;
    int32_t ip = -1;
    int truth = 0;  // known class, K = other labelled, K+1 = unlabelled
  };
  void fit(const std::vector<TrainRow>& rows);

  std::vector<std::string> classes_;
  AttributorOptions opt_;
  int64_t cut_us_ = 0;
  std::map<Service, KeyMaker> makers_;
  // Every whole key and every "without field i" key (different hash families) → its senders.
  std::unordered_map<KeyHash, Senders> exact_;
  // What each training ip contributed: (key, class) pairs, class K = other labelled, K+1 = unlabelled.
  std::unordered_map<int32_t, std::vector<std::pair<KeyHash, int>>> contributions_;
  std::unordered_map<std::string, int32_t> ip_ids_;  // training source address → its id in contributions_
  static constexpr int kLevels = 5;
  std::vector<std::pair<double, double>> calib_[kLevels];  // (raw upper bound, confidence) steps per level
  std::vector<double> new_network_rate_;                   // per class: share of its listed training ips in a new /16
  std::unordered_set<KeyHash> self_naming_;  // whole and coarse keys of payloads naming their organisation
  double theta_ = 0.5, train_f1_ = 0;
  size_t train_rows_ = 0;
};

// The distinct keys of every ip's probes in [from, to), per window; only ips with an http, tls or dns probe
// in the window get a row (the scanners the paper's method scores), though all their probes are evidence.
struct WindowIp {
  int64_t window = 0;
  std::string ip;
  Nets nets;
  std::vector<ProbeKeys> keys;
  bool vote = false;
};
std::vector<WindowIp> window_keys(Db& db, const Attributor& a, const aggregate::Windows& w, int64_t from_us,
                                  int64_t to_us, WindowSenders* senders = nullptr);

}  // namespace sg::attribute

#include "labels/list_sink.h"

#include <fmt/format.h>

namespace sg::labels {

ListSink::ListSink(ParsedList& out, const ImportOptions& o)
    : opt(o), file_org(org_from_file_name(out.file)), out_(out) {
  if (o.period)
    file_period_ = *o.period;
  else if (auto p = period_from_file_name(out.file))
    file_period_ = *p;
  file_org_ok_ = o.aliases && o.aliases->normalise(file_org).has_value();
}

void ListSink::refuse(size_t line, const std::string& reason) { out_.refused.push_back({out_.file, line, reason}); }

void ListSink::add(size_t line, const std::string& prefix, const std::string& raw_org, const std::string& source,
                   const std::optional<Period>& period) {
  RawEntry e;
  e.line = line;
  if (!parse_cidr(prefix, e.prefix)) {
    refuse(line, fmt::format("not an IP address or CIDR prefix: '{}'", prefix.substr(0, 60)));
    return;
  }
  int min_bits = e.prefix.net.v4 ? kMinV4Bits : kMinV6Bits;
  if (e.prefix.bits < min_bits && !opt.force) {
    refuse(line, fmt::format("coarse prefix {} (IPv{} shorter than /{}; --force accepts it)", prefix,
                             e.prefix.net.v4 ? 4 : 6, min_bits));
    return;
  }
  std::string org_text = !opt.org.empty() ? opt.org : !raw_org.empty() ? raw_org : file_org;
  auto org = opt.aliases ? opt.aliases->normalise(org_text) : std::optional<std::string>(org_text);
  if (!org || org->empty()) {
    unlabelled();
    return;
  }
  e.org = *org;
  e.source = opt.source_forced || source.empty() ? opt.source : source;
  e.period = period ? *period : file_period_;
  out_.entries.push_back(std::move(e));
}

}  // namespace sg::labels

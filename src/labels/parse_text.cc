// The line-oriented formats: TSV, ipset restore, CSV (ip,org or ip,ptr-name) and plain prefix lists.
#include <fmt/format.h>

#include "labels/list_sink.h"
#include "labels/text.h"

namespace sg::labels {

namespace {

bool blank_or_comment(const std::string& line) { return line.empty() || line[0] == '#'; }

}  // namespace

void parse_tsv(std::string_view content, ListSink& sink) {
  size_t n = 0;
  for_each_line(content, [&](std::string_view raw) {
    ++n;
    std::string line = trim(raw);
    if (blank_or_comment(line)) return;
    auto cols = split(raw, '\t');
    std::string prefix = trim(cols[0]);
    if (n == 1 && lower(prefix) == "prefix") return;  // header
    if (cols.size() < 2 || cols.size() > 4) {
      sink.refuse(n, fmt::format("expected prefix<TAB>org[<TAB>source[<TAB>period]], got {} fields", cols.size()));
      return;
    }
    std::string org = trim(cols[1]);
    if (org.empty()) {
      sink.refuse(n, "empty organisation");
      return;
    }
    std::string source = cols.size() > 2 ? trim(cols[2]) : "";
    std::optional<Period> period;
    if (cols.size() > 3 && !trim(cols[3]).empty()) {
      period = parse_period(trim(cols[3]));
      if (!period) {
        sink.refuse(n, fmt::format("bad period '{}'", trim(cols[3]).substr(0, 40)));
        return;
      }
    }
    sink.add(n, prefix, org, source, period);
  });
}

void parse_ipset(std::string_view content, ListSink& sink) {
  size_t n = 0;
  for_each_line(content, [&](std::string_view raw) {
    ++n;
    std::string line = trim(strip_comment(raw));
    if (line.empty()) return;
    auto tok = tokens(line);
    const std::string& verb = tok[0];
    if (verb == "create" || verb == "flush" || verb == "destroy" || verb == "swap" || verb == "rename" ||
        verb == "COMMIT")
      return;
    if (verb != "add" || tok.size() < 3) {
      sink.refuse(n, "expected 'add SET PREFIX' in an ipset restore file");
      return;
    }
    sink.add(n, tok[2], tok[1]);
  });
}

void parse_csv(std::string_view content, ListSink& sink, bool ptr_table) {
  size_t n = 0;
  for_each_line(content, [&](std::string_view raw) {
    ++n;
    std::string line = trim(raw);
    if (blank_or_comment(line)) return;
    auto cols = split(line, ',');
    std::string ip = trim(cols[0]);
    if (n == 1 && !ip.empty() && !std::isdigit(static_cast<unsigned char>(ip[0])) && ip.find(':') == std::string::npos)
      return;  // header such as "IP,Label"
    if (cols.size() != 2 || trim(cols[1]).empty()) {
      sink.refuse(n, fmt::format("expected {} (2 fields), got {}", ptr_table ? "ip,ptr-name" : "ip,org", cols.size()));
      return;
    }
    std::string value = trim(cols[1]);
    if (!ptr_table) {
      sink.add(n, ip, value);
      return;
    }
    auto org = sink.opt.rules ? sink.opt.rules->match(value) : std::nullopt;
    if (!org) {
      sink.unlabelled();
      return;
    }
    sink.add(n, ip, *org);
  });
}

void parse_plain(std::string_view content, ListSink& sink) {
  size_t n = 0;
  // Without --org or an organisation in the file name, a host name in the line's comment can name one.
  const bool use_comment = sink.opt.org.empty() && !sink.file_names_org() && sink.opt.rules;
  for_each_line(content, [&](std::string_view raw) {
    ++n;
    std::string line = trim(raw);
    if (blank_or_comment(line)) return;
    auto tok = tokens(strip_comment(line));
    if (tok.empty()) return;
    if (tok.size() > 1 && tok[1][0] != ';') {
      sink.refuse(n, fmt::format("expected one prefix per line, got '{}'", line.substr(0, 60)));
      return;
    }
    std::string org;
    if (use_comment) {
      auto hash = line.find('#');
      auto words = hash == std::string::npos ? std::vector<std::string>{} : tokens(line.substr(hash + 1));
      for (const auto& w : words)
        if (auto o = sink.opt.rules->match(w)) {
          org = *o;
          break;
        }
      if (org.empty()) {
        Cidr c;
        if (!parse_cidr(tok[0], c))
          sink.refuse(n, fmt::format("not an IP address or CIDR prefix: '{}'", tok[0].substr(0, 60)));
        else
          sink.unlabelled();
        return;
      }
    }
    sink.add(n, tok[0], org);
  });
}

}  // namespace sg::labels

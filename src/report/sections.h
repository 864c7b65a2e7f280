// The report's sections, one function each, sharing a small context. Internal to src/report.
#pragma once

#include <string>
#include <vector>

#include "report/html.h"
#include "report/report.h"

namespace sg::report {

struct Context {
  Db& db;
  const ReportOptions& options;
  int64_t from_us = 0, to_us = 0;
  Html& html;
  ReportResult& result;
  void section(const std::string& id, const std::string& heading) {
    html.section(id, heading);
    result.sections.push_back(id);
  }
  void figure(const std::string& svg, const std::string& caption) {
    html.figure(svg, caption);
    ++result.figures;
  }
  void note(const std::string& text) {
    html.paragraph(text);
    result.notes.push_back(text);
  }
};

// Text from the data going into a plot: no control bytes (gnuplot scripts are line based), bounded length.
std::string plot_label(const std::string& s, size_t max = 40);
std::string percent(double share);
std::string fixed(double v, int digits = 3);
std::string date_of(int64_t us);

void overview_section(Context& c);
void attribution_section(Context& c);
void organisations_section(Context& c);  // every named ip, per organisation, with its evidence
void evaluation_section(Context& c);
void cluster_sections(Context& c);  // clusters, maps, case 1
void abuse_section(Context& c);
void ranking_section(Context& c);
void models_section(Context& c);

}  // namespace sg::report

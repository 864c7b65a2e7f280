// Figures for the report, drawn by gnuplot into SVG text that the HTML embeds inline (the report must
// open without a network). Each call writes its data and script to a private temporary directory, runs
// gnuplot once, and returns the SVG; a missing or failing gnuplot is an error that names the plot.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sg::report {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y)
  std::string color;                              // '#rrggbb'; empty: gnuplot's next colour
};

struct PlotSize {
  int width = 720, height = 360;
};

// Horizontal bars, one per label, in the given order.
std::string bar_chart(const std::string& title, const std::vector<std::pair<std::string, double>>& bars,
                      const std::string& xlabel, PlotSize size = {});

// Lines over time: x values are Unix seconds, shown as dates.
std::string time_lines(const std::string& title, const std::vector<Series>& series, const std::string& ylabel,
                       PlotSize size = {});

// Scatter of 2-D points, one colour per series (a t-SNE map by cluster or by organisation).
std::string scatter(const std::string& title, const std::vector<Series>& series, PlotSize size = {});

// Runs gnuplot on a script; `data` files are written beside it first. Exposed for tests.
std::string run_gnuplot(const std::string& name, const std::string& script,
                        const std::vector<std::pair<std::string, std::string>>& data);

}  // namespace sg::report

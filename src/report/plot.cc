#include "report/plot.h"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fcntl.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace sg::report {

namespace fs = std::filesystem;

namespace {

// gnuplot strings are single-quoted; a quote inside is doubled.
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string header(const std::string& title, PlotSize size) {
  return fmt::format(
      "set terminal svg size {},{} dynamic enhanced font 'DejaVu Sans,10' background rgb 'white'\n"
      "set output 'plot.svg'\nset title {} noenhanced\nset key outside right top noenhanced\n"
      "set grid ytics lc rgb '#dddddd'\nset border 3\nset tics nomirror\n",
      size.width, size.height, quote(title));
}

// Only '#' and hex digits reach the script.
std::string color(const Series& s) {
  if (s.color.size() != 7 || s.color[0] != '#') return "";
  for (size_t i = 1; i < 7; ++i)
    if (!isxdigit(static_cast<unsigned char>(s.color[i]))) return "";
  return " lc rgb '" + s.color + "'";
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "sg-plot-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw std::runtime_error("cannot create a temporary directory for gnuplot");
    path = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

std::string run_gnuplot(const std::string& name, const std::string& script,
                        const std::vector<std::pair<std::string, std::string>>& data) {
  TempDir dir;
  for (const auto& [file, text] : data) std::ofstream(dir.path / file, std::ios::binary) << text;
  std::ofstream(dir.path / "plot.gp", std::ios::binary) << script;
  // posix_spawn, not system(): no shell, so nothing in a title or a path is ever interpreted.
  std::string script_path = (dir.path / "plot.gp").string();
  std::string log_path = (dir.path / "gnuplot.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::string cwd_flag = dir.path.string();
  char* argv[] = {const_cast<char*>("gnuplot"), const_cast<char*>("-e"), nullptr, script_path.data(), nullptr};
  std::string chdir_cmd = "cd " + quote(cwd_flag);
  argv[2] = chdir_cmd.data();
  pid_t pid;
  int rc = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(fmt::format("plot '{}': cannot run gnuplot (is it installed?)", name));
  int status = 0;
  waitpid(pid, &status, 0);
  std::string svg = read_file(dir.path / "plot.svg");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || svg.find("<svg") == std::string::npos) {
    std::string log = read_file(log_path);
    throw std::runtime_error(fmt::format("plot '{}': gnuplot failed: {}", name, log.substr(0, 300)));
  }
  // The XML prolog and DOCTYPE are not allowed inside HTML; the <svg> element is.
  return svg.substr(svg.find("<svg"));
}

std::string bar_chart(const std::string& title, const std::vector<std::pair<std::string, double>>& bars,
                      const std::string& xlabel, PlotSize size) {
  std::string data;
  for (size_t i = 0; i < bars.size(); ++i) data += fmt::format("{}\t{}\t\"{}\"\n", i, bars[i].second, bars[i].first);
  if (bars.empty()) data = "0\t0\t\"(none)\"\n";
  size.height = std::max(size.height, 40 + 18 * int(bars.size()));
  std::string script = header(title, size) +
                       fmt::format(
                           "set style fill solid 0.8 border -1\nset xlabel {}\nset yrange [-1:{}]\nset xrange [0:*]\n"
                           "set ytics noenhanced\nunset key\nset datafile separator '\\t'\n"
                           "plot 'bars.tsv' using ($2*0.5):1:($2*0.5):(0.4):yticlabels(3) with boxxyerrorbars lc rgb "
                           "'#4477aa' notitle\n",
                           quote(xlabel), bars.size());
  return run_gnuplot(title, script, {{"bars.tsv", data}});
}

std::string time_lines(const std::string& title, const std::vector<Series>& series, const std::string& ylabel,
                       PlotSize size) {
  std::string script =
      header(title, size) +
      fmt::format("set xdata time\nset timefmt '%s'\nset format x '%Y-%m-%d'\nset xtics rotate by -30\nset ylabel {}\n",
                  quote(ylabel));
  // gnuplot widens a range of one x value to a year or more; a single week is shown four days either side.
  double lo = 1e300, hi = -1e300;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) lo = std::min(lo, x), hi = std::max(hi, x);
  if (lo == hi)
    script += fmt::format("set xrange ['{:.0f}':'{:.0f}']\nset yrange [0:*]\n", lo - 4 * 86400, hi + 4 * 86400);
  std::vector<std::pair<std::string, std::string>> files;
  std::string plot = "plot ";
  for (size_t i = 0; i < series.size(); ++i) {
    std::string data;
    for (const auto& [x, y] : series[i].points) data += fmt::format("{:.0f}\t{}\n", x, y);
    if (data.empty()) continue;
    std::string file = fmt::format("s{}.tsv", i);
    files.emplace_back(file, data);
    plot += fmt::format("{}'{}' using 1:2 with linespoints{} title {}", files.size() > 1 ? ", " : "", file,
                        color(series[i]), quote(series[i].name));
  }
  if (files.empty()) {
    files.emplace_back("empty.tsv", "0\t0\n");
    plot += "'empty.tsv' using 1:2 with points notitle";
  }
  return run_gnuplot(title, script + plot + "\n", files);
}

std::string scatter(const std::string& title, const std::vector<Series>& series, PlotSize size) {
  std::string script = header(title, size) + "unset xtics\nunset ytics\nunset grid\nset border 0\n";
  std::vector<std::pair<std::string, std::string>> files;
  std::string plot = "plot ";
  for (size_t i = 0; i < series.size(); ++i) {
    std::string data;
    for (const auto& [x, y] : series[i].points) data += fmt::format("{}\t{}\n", x, y);
    if (data.empty()) continue;
    std::string file = fmt::format("s{}.tsv", i);
    files.emplace_back(file, data);
    plot += fmt::format("{}'{}' using 1:2 with points pt 7 ps 0.5{} title {}", files.size() > 1 ? ", " : "", file,
                        color(series[i]), quote(series[i].name));
  }
  if (files.empty()) {
    files.emplace_back("empty.tsv", "0\t0\n");
    plot += "'empty.tsv' using 1:2 with points notitle";
  }
  return run_gnuplot(title, script + plot + "\n", files);
}

}  // namespace sg::report

// Headless Chromium for the report tests: the DOM after the page's own script ran (figures marked
// data-rendered) and a screenshot kept under SG_ARTIFACTS for people to look at.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

namespace sgtest {

inline bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

// The DOM of any URL (a served page, a file://) once its scripts ran for up to `budget_ms` of virtual time.
inline std::string chromium_dom_url(const std::string& url, int budget_ms = 5000) {
  std::string cmd =
      "chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 "
      "--virtual-time-budget=" +
      std::to_string(budget_ms) + " --dump-dom '" + url + "' 2>/dev/null";
  std::string dom;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) dom.append(buf, n);
  pclose(p);
  return dom;
}

inline std::string chromium_dom(const std::string& html_path) { return chromium_dom_url("file://" + html_path); }

inline int count_of(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  return int(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

// A full-page-width screenshot of the top `height` pixels; returns its path.
inline std::filesystem::path chromium_screenshot(const std::string& html_path, const std::string& name,
                                                 int height = 4000) {
  auto shot = std::filesystem::path(SG_ARTIFACTS) / name;
  std::filesystem::create_directories(shot.parent_path());
  std::string cmd = "chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200," +
                    std::to_string(height) + " --virtual-time-budget=5000 --screenshot=" + shot.string() + " file://" +
                    html_path + " >/dev/null 2>&1";
  std::system(cmd.c_str());
  return shot;
}

}  // namespace sgtest

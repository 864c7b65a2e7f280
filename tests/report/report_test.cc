#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "report/html.h"
#include "report/plot.h"

namespace sg::report {
namespace {

TEST(Html, EscapesEverythingItIsGiven) {
  EXPECT_EQ(escape("<script>alert('x')&\"</script>"), "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;");
  Html h("T <1>");
  h.section("s1", "Scanners & orgs");
  h.table({"org", "ips"}, {{"<b>evil</b>", "12"}});
  std::string page = h.page();
  EXPECT_EQ(page.find("<b>evil"), std::string::npos);
  EXPECT_NE(page.find("&lt;b&gt;evil"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"n\">12</td>"), std::string::npos);
  EXPECT_NE(page.find("<a href=\"#s1\">Scanners &amp; orgs</a>"), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos);  // self-contained: no external resource
  EXPECT_EQ(page.find("https://"), std::string::npos);
}

TEST(Plot, GnuplotDrawsEachKindAsInlineSvg) {
  auto bars = bar_chart("Scanners per org", {{"shodan", 12}, {"o'brien \"lab\"", 3}}, "scanners");
  EXPECT_EQ(bars.rfind("<svg", 0), 0u);
  EXPECT_NE(bars.find("o'brien"), std::string::npos);  // the label survived gnuplot quoting
  auto lines = time_lines("Weekly", {{"shodan", {{1736121600, 3}, {1736726400, 5}}, ""}, {"empty", {}, ""}}, "ips");
  EXPECT_NE(lines.find("2025-01-06"), std::string::npos);
  auto dots = scatter("map", {{"c0", {{0, 0}, {1, 1}}, ""}, {"c1", {{5, 5}}, ""}});
  EXPECT_NE(dots.find("c1"), std::string::npos);
  EXPECT_EQ(scatter("nothing", {}).rfind("<svg", 0), 0u);
}

TEST(Plot, GnuplotErrorsNameThePlot) {
  try {
    run_gnuplot("broken", "set output 'plot.svg'\nthis is not gnuplot\n", {});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("plot 'broken': gnuplot failed"), std::string::npos) << e.what();
  }
}

// The page really renders in a browser: headless Chromium lays it out, the page's own script marks each
// figure, and the DOM dump shows the marks. The screenshot is kept for people to look at.
TEST(Html, RendersInHeadlessChromium) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) GTEST_SKIP() << "chromium not installed";
  Html h("Render check");
  h.section("summary", "Summary");
  h.figure(bar_chart("bars", {{"a", 1}, {"b", 2}}, "n"), "bars");
  h.section("maps", "Maps");
  h.figure(scatter("map", {{"c0", {{0, 0}, {1, 1}}, ""}}), "map");
  auto dir = std::filesystem::path(testing::TempDir()) / "sg-report-render";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "report.html") << h.page();
  std::string flags = "--headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 ";
  std::string url = "file://" + (dir / "report.html").string();
  std::string dom;
  FILE* p = popen(("chromium " + flags + "--virtual-time-budget=2000 --dump-dom " + url + " 2>/dev/null").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) dom.append(buf, n);
  pclose(p);
  std::regex rendered("data-rendered=\"true\"");
  EXPECT_EQ(std::distance(std::sregex_iterator(dom.begin(), dom.end(), rendered), std::sregex_iterator()), 2)
      << dom.substr(0, 500);
  auto shot = std::filesystem::path(SG_ARTIFACTS) / "report_render_check.png";
  std::filesystem::create_directories(shot.parent_path());
  std::system(("chromium " + flags + "--screenshot=" + shot.string() + " " + url + " >/dev/null 2>&1").c_str());
  ASSERT_TRUE(std::filesystem::exists(shot));
  EXPECT_GT(std::filesystem::file_size(shot), 5000u);  // an empty white page compresses to far less
}

}  // namespace
}  // namespace sg::report

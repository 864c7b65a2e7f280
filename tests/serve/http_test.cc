// `serve` over a real socket: the server on an ephemeral port queried with cpp-httplib's client (statuses,
// headers, the 413 of a large body, the page's assets), the page rendered by headless Chromium after a
// search for a demo ip, and the command itself started and stopped.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "report/chromium.h"
#include "serve/demo_db.h"
#include "serve/http_server.h"
#include "storage/probe_store.h"
#include "storage/schema.h"
#include "support/temp_dir.h"

namespace {

using nlohmann::json;

// The server on 127.0.0.1:<any free port> in a thread of this test, stopped when it goes.
class LiveServer {
 public:
  explicit LiveServer(const std::string& db) : server_(sg::serve::ServeOptions{db, "127.0.0.1", 0, 8}) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.run(); });
    // Ready when it answers.
    httplib::Client c("127.0.0.1", port_);
    for (int i = 0; i < 200 && !c.Get("/v1/stats"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~LiveServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  sg::serve::HttpServer server_;
  int port_ = 0;
  std::thread thread_;
};

class ServeHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& d = sgtest::demo_db();
    ASSERT_TRUE(d.error.empty()) << d.error;
    server_ = std::make_unique<LiveServer>(d.db);
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30, 0);
    return c;
  }
  // An attributed ip of the latest week and its organisation.
  std::pair<std::string, std::string> attributed_ip() {
    auto c = client();
    auto stats = json::parse(c.Get("/v1/stats")->body);
    for (const auto& o : stats["orgs"]) {
      std::string org = o["org"];
      if (org == "unknown") continue;
      auto page = json::parse(c.Get(("/v1/org/" + org).c_str())->body);
      for (const auto& ip : page["ips"])
        if (ip["last_week"] == stats["latest_week"]) return {ip["ip"], org};
    }
    return {};
  }
  std::unique_ptr<LiveServer> server_;
};

TEST_F(ServeHttp, RoutesStatusesAndHeadersOverTheWire) {
  auto c = client();
  auto [ip, org] = attributed_ip();
  ASSERT_FALSE(ip.empty());
  auto r = c.Get(("/v1/ip/" + ip).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_NE(r->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(json::parse(r->body)["org"], org);

  // Query parameters and escaped paths arrive decoded.
  r = c.Get("/v1/ip?cidr=198.51.100.0%2F24&limit=3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["items"].size(), 3u);
  r = c.Get(("/v1/org/" + org + "?limit=2").c_str());
  EXPECT_EQ(json::parse(r->body)["ips"].size(), std::min<size_t>(2, json::parse(r->body)["total"].get<size_t>()));

  // Errors: JSON with their status, including the ones the library answers itself.
  for (auto [path, status] : {std::pair{"/v1/ip/300.1.1.1", 400},
                              {"/v1/ip/10.0.0.0/8", 400},
                              {"/v1/nope", 404},
                              {"/nope", 404},
                              {"/v1/org/nobody", 404}}) {
    r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, status) << path;
    auto j = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << path << ": " << r->body;
    EXPECT_EQ(j["error"]["status"], status) << path;
  }
  // A 10 MB body is refused before it is read whole; the server goes on answering.
  r = c.Post("/v1/ip", std::string(10 << 20, '['), "application/json");
  if (r) {
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(json::parse(r->body)["error"]["code"], "body_too_large") << r->body;
  }
  auto c2 = client();
  r = c2.Post("/v1/ip", json{{"ips", {ip, "bad"}}}.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto j = json::parse(r->body);
  EXPECT_EQ(j["results"][0]["org"], org);
  EXPECT_EQ(j["errors"][0]["code"], "bad_ip");
  r = c2.Get("/v1/stats");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  // The page and its assets: served from the binary, nothing from elsewhere.
  r = c2.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r->body.find("<script src=\"/app.js\""), std::string::npos);
  for (const char* asset : {"/", "/app.js", "/app.css"}) {
    auto a = c2.Get(asset);
    ASSERT_TRUE(a) << asset;
    EXPECT_EQ(a->status, 200) << asset;
    std::string body =
        std::regex_replace(a->body, std::regex("http://www\\.w3\\.org/2000/svg"), "");  // a name, not a load
    EXPECT_EQ(body.find("http://"), std::string::npos) << asset;
    EXPECT_EQ(body.find("//cdn"), std::string::npos) << asset;
    EXPECT_EQ(a->body.find("https://"), std::string::npos) << asset;
    EXPECT_EQ(a->body.find("innerHTML"), std::string::npos) << asset;
    EXPECT_EQ(a->body.find("outerHTML"), std::string::npos) << asset;
    EXPECT_EQ(a->body.find("insertAdjacentHTML"), std::string::npos) << asset;
    EXPECT_EQ(a->body.find("document.write"), std::string::npos) << asset;
  }
}

TEST_F(ServeHttp, ConcurrentClientsGetConsistentAnswers) {
  auto [ip, org] = attributed_ip();
  ASSERT_FALSE(ip.empty());
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, ip = ip, org = org] {
      httplib::Client c("127.0.0.1", server_->port());
      for (int i = 0; i < 10; ++i) {
        auto r = c.Get(("/v1/ip/" + ip).c_str());
        if (r && r->status == 200 && json::parse(r->body)["org"] == org) ++good;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 80);
}

std::string fmt_pct(unsigned char c) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%%%02X", c);
  return buf;
}

int sgtest_count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

using sgtest::have_chromium;
std::string chromium_dom(const std::string& url) { return sgtest::chromium_dom_url(url, 10000); }

// The text of the element with this id (the first match), tags stripped.
std::string element_text(const std::string& dom, const std::string& tag, const std::string& id) {
  std::smatch m;
  std::regex re("<" + tag + "[^>]*id=\"" + id + "\"[^>]*>([\\s\\S]*?)</" + tag + ">");
  if (!std::regex_search(dom, m, re)) return "";
  return std::regex_replace(m[1].str(), std::regex("<[^>]*>"), " ");
}

TEST_F(ServeHttp, ThePageShowsADemoIpInHeadlessChromium) {
  if (!have_chromium()) GTEST_SKIP() << "chromium not installed";
  auto [ip, org] = attributed_ip();
  ASSERT_FALSE(ip.empty());
  // The search box submits ?q=; the page runs the search and renders the ip.
  auto dom = chromium_dom(server_->url("/?q=" + ip));
  ASSERT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(dom.find("value=\"" + ip + "\""), std::string::npos);  // what was searched stays in the box
  EXPECT_EQ(element_text(dom, "h2", "ip-title"), ip);
  std::string facts = element_text(dom, "dl", "ip-facts");
  EXPECT_NE(facts.find(org), std::string::npos) << facts;
  EXPECT_NE(facts.find("Confidence"), std::string::npos);
  EXPECT_NE(dom.find("id=\"evidence\""), std::string::npos);
  EXPECT_NE(dom.find("id=\"history\""), std::string::npos);
  EXPECT_NE(element_text(dom, "div", "history").find("2025-01-20"), std::string::npos);
  EXPECT_NE(dom.find("/?q=" + org), std::string::npos);  // the organisation links to its page

  // Its organisation's page: the ip among its ips, the weekly chart drawn.
  dom = chromium_dom(server_->url("/?q=" + org));
  ASSERT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_EQ(element_text(dom, "h2", "org-title"), org);
  EXPECT_NE(dom.find(">" + ip + "<"), std::string::npos);
  EXPECT_NE(dom.find("id=\"weekly-chart\""), std::string::npos);
  EXPECT_GE(sgtest_count(dom, "<rect "), 1);

  // A prefix, and a fingerprint the ip sent: each lists the ip.
  auto c = client();
  auto detail = json::parse(c.Get(("/v1/ip/" + ip).c_str())->body);
  std::string prefix = ip.find(':') == std::string::npos ? ip.substr(0, ip.rfind('.')) + ".0/24" : ip + "/112";
  dom = chromium_dom(server_->url("/?q=" + prefix));
  ASSERT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 3000);
  EXPECT_NE(element_text(dom, "h2", "cidr-title").find(prefix.substr(0, prefix.find('/'))), std::string::npos);
  EXPECT_NE(dom.find(">" + ip + "<"), std::string::npos);
  for (auto [kind, field] : {std::pair{"ja4", "ja4"}, {"user_agents", "ua"}, {"qnames", "qname"}}) {
    if (detail["fingerprints"][kind].empty()) continue;
    std::string value = detail["fingerprints"][kind][0]["value"];
    std::string q;
    for (unsigned char ch : std::string(field) + "=" + value)
      q += std::isalnum(ch) || ch == '.' || ch == '_' || ch == '-' ? std::string(1, char(ch)) : fmt_pct(ch);
    dom = chromium_dom(server_->url("/?q=" + q));
    ASSERT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 3000);
    EXPECT_NE(element_text(dom, "h2", "search-title").find(field), std::string::npos) << kind;
    EXPECT_NE(dom.find(">" + ip + "<"), std::string::npos) << kind << " " << value;
    break;
  }
}

TEST_F(ServeHttp, HostileStringsRenderAsTextInThePage) {
  if (!have_chromium()) GTEST_SKIP() << "chromium not installed";
  auto dom = chromium_dom(server_->url(std::string("/?q=") + sgtest::DemoDb::kHostileIp));
  ASSERT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 3000);
  // The user agent is in the evidence table as text: its markup escaped in the serialised DOM, no element
  // made of it.
  EXPECT_NE(dom.find("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q'"), std::string::npos) << dom;
  EXPECT_EQ(dom.find("<script>alert"), std::string::npos);
  EXPECT_EQ(sgtest_count(dom, "<script"), 1);  // the page's own
}

// The page's own code (app.js, index.html, as served) in a file:// harness whose fetch answers with what the
// live server answered for the same paths, so the script runs exactly as on the served page; a script then
// uses an organisation's ip table as an analyst would (type in the filter box, click headers) and writes what
// the table showed after each step into the DOM that Chromium dumps.
TEST_F(ServeHttp, ThePagesTablesSortAndFilterInHeadlessChromium) {
  if (!have_chromium()) GTEST_SKIP() << "chromium not installed";
  auto c = client();
  auto stats = json::parse(c.Get("/v1/stats")->body);
  std::string org;  // the organisation with the most ips: its table has a filter box (more than 5 rows)
  int64_t most = 0;
  for (const auto& o : stats["orgs"])
    if (o["org"] != "unknown" && o["ips"].get<int64_t>() > most) {
      most = o["ips"].get<int64_t>();
      org = o["org"].get<std::string>();
    }
  ASSERT_GT(most, 5) << stats.dump();
  std::string org_path = "/v1/org/" + org + "?limit=200";
  auto org_res = c.Get(org_path.c_str());
  ASSERT_TRUE(org_res && org_res->status == 200);
  auto page = json::parse(org_res->body);
  const size_t rows = page["ips"].size();  // the first page: the harness table is the page's first table
  ASSERT_GT(rows, 5u);

  std::string index = c.Get("/")->body, app = c.Get("/app.js")->body;
  const std::string tag = "<script src=\"/app.js\" defer></script>";
  ASSERT_NE(index.find(tag), std::string::npos);
  json answers = {{org_path, json::parse(org_res->body)}};
  std::string probe_ip = page["ips"][0]["ip"];
  // Filters on the first ip's text: the rows that contain it (it may be a prefix of others).
  std::string harness = R"(<script>
const ANSWERS = )" + answers.dump() +
                        R"(;
window.fetch = async (path) => ANSWERS[path] === undefined
    ? new Response('{"error":{"message":"not in the harness"}}', { status: 404 })
    : new Response(JSON.stringify(ANSWERS[path]), { status: 200, headers: { 'Content-Type': 'application/json' } });
history.replaceState(null, '', location.pathname + '?q=)" +
                        org + R"(');
</script>
<script>)" + app + R"(</script>
<script>
function shown(box) {
  return [...box.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent));
}
function header(box, label) { return [...box.querySelectorAll('th')].find((th) => th.textContent === label); }
function step() {
  if (document.body.dataset.state !== 'ready') return setTimeout(step, 20);
  const box = document.getElementById('org-ips-0');
  const out = { initial: shown(box) };
  header(box, 'Probes').click();
  out.probes_up = shown(box);
  out.aria_up = header(box, 'Probes').getAttribute('aria-sort');
  header(box, 'Probes').click();
  out.probes_down = shown(box);
  out.aria_down = header(box, 'Probes').getAttribute('aria-sort');
  const filter = box.querySelector('input.filter');
  out.has_filter = !!filter;
  filter.value = '  )" + probe_ip +
                        R"(  ';
  filter.dispatchEvent(new Event('input'));
  out.filtered = shown(box);
  header(box, 'IP').click();
  out.filtered_by_ip = shown(box);
  filter.value = 'no row holds this';
  filter.dispatchEvent(new Event('input'));
  out.none = shown(box);
  filter.value = '';
  filter.dispatchEvent(new Event('input'));
  out.cleared = shown(box);
  const pre = document.createElement('pre');
  pre.id = 'harness-result';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}
document.addEventListener('DOMContentLoaded', () => setTimeout(step, 0));
</script>)";
  index.replace(index.find(tag), tag.size(), harness);
  sgtest::TempDir dir("sg_page_harness");
  std::string path = dir.file("page.html");
  { std::ofstream(path) << index; }
  std::string dom = chromium_dom("file://" + path);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(dom, m, std::regex("<pre id=\"harness-result\">([^<]*)</pre>"))) << dom.substr(0, 4000);
  std::string text = m[1].str();  // a text node serialised: &, < and > escaped
  for (auto [from, to] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
    text = std::regex_replace(text, std::regex(from), to);
  auto r = json::parse(text);

  // Column order of the ip table: IP, Weeks, Confidence, Evidence, Probes, First seen, Last seen.
  auto column = [](const json& rows, int i) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row[i]);
    return out;
  };
  auto numbers = [&](const json& rows, int i) {
    std::vector<int64_t> out;
    for (const auto& v : column(rows, i)) out.push_back(std::stoll(v));
    return out;
  };
  ASSERT_EQ(r["initial"].size(), rows);
  std::vector<std::string> api_order;
  std::vector<int64_t> probes;
  for (const auto& ip : page["ips"]) api_order.push_back(ip["ip"]), probes.push_back(ip["probes"]);
  EXPECT_EQ(column(r["initial"], 0), api_order) << "unsorted, the table keeps the API's order";
  // Numbers sort as numbers (9 before 10), both ways; the header says which way.
  auto up = probes, down = probes;
  std::sort(up.begin(), up.end());
  std::sort(down.rbegin(), down.rend());
  EXPECT_EQ(numbers(r["probes_up"], 4), up);
  EXPECT_EQ(numbers(r["probes_down"], 4), down);
  EXPECT_EQ(r["aria_up"], "ascending");
  EXPECT_EQ(r["aria_down"], "descending");
  EXPECT_TRUE(r["has_filter"].get<bool>());
  // The filter (trimmed, any column's text) keeps exactly the rows that contain it, in the current order.
  std::vector<std::string> want;
  for (const auto& row : r["probes_down"]) {
    std::string all;
    for (const auto& cell : row) all += cell.get<std::string>();
    if (all.find(probe_ip) != std::string::npos) want.push_back(row[0]);
  }
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(column(r["filtered"], 0), want);
  // Sorting a filtered table sorts what the filter kept.
  auto by_ip = column(r["filtered_by_ip"], 0);
  EXPECT_TRUE(std::is_sorted(by_ip.begin(), by_ip.end()));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(by_ip, want);
  EXPECT_TRUE(r["none"].empty());
  // Clearing the filter brings every row back, in the last sort order (by ip).
  auto all = api_order;
  std::sort(all.begin(), all.end());
  EXPECT_EQ(column(r["cleared"], 0), all);
}

TEST(ServeCommand, StartsListensAndStopsOnSigterm) {
  const auto& d = sgtest::demo_db();
  ASSERT_TRUE(d.error.empty()) << d.error;
  auto help = sgtest::run_cli("serve --help");
  EXPECT_EQ(help.rc, 0);
  EXPECT_NE(help.out.find("/v1/ip/{ip}"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("Example: scannergrouper serve"), std::string::npos);
  EXPECT_EQ(sgtest::run_cli("serve --db /nonexistent/x.db").rc, 1);
  EXPECT_EQ(sgtest::run_cli("serve --db " + d.db + " --listen nonsense").rc, 2);

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    execl(SG_BINARY, SG_BINARY, "serve", "--db", d.db.c_str(), "--listen", "127.0.0.1:0", nullptr);
    _exit(127);
  }
  close(out[1]);
  FILE* f = fdopen(out[0], "r");
  char line[512] = {0};
  ASSERT_TRUE(fgets(line, sizeof line, f)) << "no output";
  std::cmatch m;
  ASSERT_TRUE(std::regex_search(line, m, std::regex("http://127\\.0\\.0\\.1:(\\d+)/"))) << line;
  httplib::Client c("127.0.0.1", std::stoi(m[1].str()));
  auto r = c.Get("/v1/stats");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  kill(pid, SIGTERM);
  int st = 0;
  waitpid(pid, &st, 0);
  fclose(f);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
}

// A file an older program wrote: `serve` reads it as it is (read-only, no migration) and says so once at
// start; a current file gets no note.
TEST(ServeCommand, AnOlderLayoutIsNamedAtStart) {
  sgtest::TempDir dir("sg_serve_layout");
  const std::string path = dir.file("old.db");
  { sg::ProbeStore create(path); }
  EXPECT_EQ(sg::serve::HttpServer(sg::serve::ServeOptions{path, "127.0.0.1", 0, 1}).schema_note(), "");
  {
    sg::Db db(path);
    db.exec("UPDATE meta SET value = '3' WHERE key = 'schema.version'");
  }
  const std::string note = sg::serve::HttpServer(sg::serve::ServeOptions{path, "127.0.0.1", 0, 1}).schema_note();
  EXPECT_NE(note.find("layout version 3 (this program writes " + std::to_string(sg::schema::kVersion) + ")"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find(path), std::string::npos) << note;
}

}  // namespace

// Tokenisers. The paper's text was not at hand, so the User-Agent rule is checked on real user agents
// seen in ../shared/data (scanner_real, crawler_real, tool_real and the oracle pcaps): nmap's NSE, zgrab,
// bingbot, curl and browser versions.
#include <gtest/gtest.h>

#include <algorithm>

#include "features/tokenize.h"

using namespace sg::features;
using V = std::vector<std::string>;

namespace {

V shared(const V& a, const V& b) {
  V out;
  for (const auto& t : a)
    if (std::find(b.begin(), b.end(), t) != b.end()) out.push_back(t);
  return out;
}

}  // namespace

TEST(UserAgent, ProductTokensAndComments) {
  EXPECT_EQ(user_agent_tokens("Mozilla/5.0 (X11; Linux x86_64; rv:52.0) Gecko/20100101 Firefox/52.0"),
            (V{"Mozilla", "Mozilla/5", "Mozilla/5.0", "X11", "Linux x86_64", "rv", "rv:52", "rv:52.0", "Gecko",
               "Gecko/20100101", "Firefox", "Firefox/52", "Firefox/52.0"}));
  EXPECT_EQ(user_agent_tokens("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"),
            (V{"Mozilla", "Mozilla/5", "Mozilla/5.0", "compatible", "Nmap Scripting Engine",
               "https://nmap.org/book/nse.html"}));
  EXPECT_EQ(user_agent_tokens("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
            (V{"Mozilla", "Mozilla/5", "Mozilla/5.0", "compatible", "bingbot", "bingbot/2", "bingbot/2.0",
               "+http://www.bing.com/bingbot.htm"}));
  EXPECT_EQ(user_agent_tokens("Mozilla/5.0 zgrab/0.x"),
            (V{"Mozilla", "Mozilla/5", "Mozilla/5.0", "zgrab", "zgrab/0", "zgrab/0.x"}));
  EXPECT_EQ(user_agent_tokens("curl/7.74.0"), (V{"curl", "curl/7", "curl/7.74.0"}));
  EXPECT_EQ(user_agent_tokens("Microsoft WinRM Client"), (V{"Microsoft", "WinRM", "Client"}));
  EXPECT_EQ(user_agent_tokens("Mozilla/4.75 (Nikto/2.1.4) (Evasions:None) (Test:000003)"),
            (V{"Mozilla", "Mozilla/4", "Mozilla/4.75", "Nikto", "Nikto/2", "Nikto/2.1.4", "Evasions", "Evasions:None",
               "Test", "Test:000003"}));
}

TEST(UserAgent, VersionsOfOneClientShareTokens) {
  V ff52 = user_agent_tokens("Mozilla/5.0 (X11; Linux x86_64; rv:52.0) Gecko/20100101 Firefox/52.0");
  V ff128 = user_agent_tokens("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
  EXPECT_EQ(shared(ff52, ff128), (V{"Mozilla", "Mozilla/5", "Mozilla/5.0", "X11", "Linux x86_64", "rv", "Gecko",
                                    "Gecko/20100101", "Firefox"}));
  // Same major version, different builds: the major token is shared too.
  EXPECT_EQ(shared(user_agent_tokens("Firefox/3.0b5"), user_agent_tokens("Firefox/3.5.5")),
            (V{"Firefox", "Firefox/3"}));
  EXPECT_EQ(shared(user_agent_tokens("curl/7.74.0"), user_agent_tokens("curl/8.0")), (V{"curl"}));
  V chrome36 = user_agent_tokens(
      "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.125 Safari/537.36");
  V chrome44 = user_agent_tokens(
      "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/44.0.2403.125 "
      "Safari/537.36");
  for (const char* t :
       {"Windows NT 6.1", "Windows NT", "AppleWebKit/537.36", "KHTML, like Gecko", "Chrome", "Safari/537.36"})
    EXPECT_NE(std::find(chrome36.begin(), chrome36.end(), t), chrome36.end()) << t;
  EXPECT_EQ(shared(chrome36, chrome44).size(), chrome36.size() - 2);  // only Chrome/36 and Chrome/36.0... differ
  // A phrase ending in a version also gives the phrase without it (OS and .NET versions).
  V msie =
      user_agent_tokens("Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; .NET CLR 1.0.3705; .NET CLR 1.1.4322)");
  for (const char* t : {"MSIE 7.0", "MSIE", "Windows NT 5.1", "Windows NT", ".NET CLR 1.0.3705", ".NET CLR"})
    EXPECT_NE(std::find(msie.begin(), msie.end(), t), msie.end()) << t;
  EXPECT_EQ(std::count(msie.begin(), msie.end(), ".NET CLR"), 1);  // de-duplicated
}

TEST(UserAgent, HostileInputIsBounded) {
  EXPECT_TRUE(user_agent_tokens("").empty());
  EXPECT_TRUE(user_agent_tokens("   ").empty());
  EXPECT_EQ(user_agent_tokens("(((a"), (V{"((a"}));  // an unclosed comment runs to the end
  EXPECT_EQ(user_agent_tokens(")x"), (V{")x"}));
  std::string many;
  for (int i = 0; i < 10000; ++i) many += "t" + std::to_string(i) + ";";
  EXPECT_EQ(user_agent_tokens("(" + many + ")").size(), kMaxTokensPerValue);
  V longest = user_agent_tokens(std::string(5000, 'A'));
  ASSERT_EQ(longest.size(), 1u);
  EXPECT_EQ(longest[0].size(), kMaxTokenBytes);
  EXPECT_EQ(user_agent_tokens("a/"), (V{"a/"}));
  EXPECT_EQ(user_agent_tokens("/b"), (V{"/b"}));
}

TEST(SplitList, AcceptAndAcceptEncoding) {
  EXPECT_EQ(split_list("gzip, deflate"), (V{"gzip", "deflate"}));
  EXPECT_EQ(split_list("text/html,application/xml;q=0.9, */*;q=0.8"),
            (V{"text/html", "application/xml;q=0.9", "*/*;q=0.8"}));
  EXPECT_EQ(split_list(" , gzip,,gzip "), (V{"gzip"}));
  EXPECT_TRUE(split_list("").empty());
}

TEST(Codes, GreaseAndTtl) {
  EXPECT_TRUE(is_grease(0x0a0a));
  EXPECT_TRUE(is_grease(0xfafa));
  EXPECT_FALSE(is_grease(0x0a1a));
  EXPECT_FALSE(is_grease(0x1301));
  EXPECT_EQ(code_token(0x2a2a), "grease");
  EXPECT_EQ(code_token(4865), "4865");
  EXPECT_EQ(initial_ttl(50), 64u);
  EXPECT_EQ(initial_ttl(114), 128u);
  EXPECT_EQ(initial_ttl(234), 255u);
  EXPECT_EQ(initial_ttl(0), 32u);
}

TEST(SshBanner, Tokens) {
  EXPECT_EQ(ssh_banner_tokens("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"),
            (V{"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6", "SSH-2.0", "OpenSSH", "OpenSSH_8.9p1", "Ubuntu-3ubuntu0.6"}));
  EXPECT_EQ(ssh_banner_tokens("SSH-2.0-Go"), (V{"SSH-2.0-Go", "SSH-2.0", "Go"}));
  EXPECT_EQ(ssh_banner_tokens("garbage"), (V{"garbage"}));
}

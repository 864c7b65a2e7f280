// The web page of `scannergrouper serve`, built into the binary: one HTML file, its script and its style,
// nothing fetched from elsewhere (it works offline and under the server's Content-Security-Policy). The
// script reads the JSON API and writes every value as text (textContent), never as markup.
#pragma once

#include <string>
#include <vector>

namespace sg::serve {

struct Asset {
  const char* path;  // "/", "/app.js", "/app.css"
  const char* content_type;
  std::string body;
};
const std::vector<Asset>& page_assets();

}  // namespace sg::serve

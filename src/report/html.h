// A small builder for the self-contained report page: escaped text, tables, inline SVG figures, a table of
// contents. No external resources at all, so the file opens offline and can be mailed as it is.
#pragma once

#include <string>
#include <vector>

namespace sg::report {

std::string escape(const std::string& text);

class Html {
 public:
  explicit Html(std::string title) : title_(std::move(title)) {}

  void section(const std::string& id, const std::string& heading);
  void subheading(const std::string& text);
  void paragraph(const std::string& text);
  // Cells are text (escaped). Numeric-looking cells are right-aligned.
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
             const std::string& caption = "");
  void figure(const std::string& svg, const std::string& caption);
  void preformatted(const std::string& text);

  // The whole page. Its inline script marks each figure with data-rendered="true|false" after layout, so
  // a headless browser's DOM dump shows whether every image actually rendered.
  std::string page() const;

 private:
  std::string title_;
  std::vector<std::pair<std::string, std::string>> toc_;
  std::string body_;
  int figures_ = 0;
};

}  // namespace sg::report

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
  void subheading(const std::string& text, const std::string& id = "");
  void paragraph(const std::string& text);
  // Cells are text (escaped). Numeric-looking cells are right-aligned; addresses are text.
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
             const std::string& caption = "");
  // A cell that links to an anchor of the page (href "#...") and/or is one (id).
  struct Cell {
    Cell(std::string t, std::string h = "", std::string i = "")  // NOLINT: a cell reads as its text
        : text(std::move(t)), href(std::move(h)), id(std::move(i)) {}
    std::string text, href, id;
  };
  void linked_table(const std::vector<std::string>& header, const std::vector<std::vector<Cell>>& rows,
                    const std::string& caption = "");
  // What follows, up to end_details(), folds under `summary` (open: shown unfolded at first).
  void begin_details(const std::string& summary, bool open = false);
  void end_details();
  // An anchor id from any text: letters, digits, '-', '_', '.', ':' kept, the rest '-'.
  static std::string anchor(const std::string& prefix, const std::string& text);
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

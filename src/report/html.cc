#include "report/html.h"

#include <fmt/format.h>

namespace sg::report {

namespace {

bool numeric(const std::string& s) {
  if (s.empty()) return false;
  int dots = 0;
  for (char c : s) {
    if (!(isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '%' || c == ',')) return false;
    dots += c == '.';
  }
  return dots < 2;  // 192.0.2.1 is an address, read as text (left-aligned)
}

const char* kStyle = R"css(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.4}
h1{border-bottom:2px solid #4477aa}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef2f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{caption-side:bottom;font-size:0.85em;color:#555;text-align:left}
figure{margin:1em 0}figcaption{font-size:0.85em;color:#555}
nav li{display:inline;margin-right:1em}pre{background:#f6f6f6;padding:0.6em;overflow-x:auto}
details{margin:0.4em 0}summary{cursor:pointer;color:#4477aa}:target{background:#fff3c4}
)css";

const char* kRenderCheck = R"js(
window.addEventListener('load',function(){document.querySelectorAll('figure').forEach(function(f){
var s=f.querySelector('svg');var r=s?s.getBoundingClientRect():{width:0,height:0};
f.setAttribute('data-rendered',(r.width>10&&r.height>10)?'true':'false');});});
)js";

}  // namespace

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void Html::section(const std::string& id, const std::string& heading) {
  toc_.emplace_back(id, heading);
  body_ += fmt::format("<h2 id=\"{}\">{}</h2>\n", escape(id), escape(heading));
}

void Html::subheading(const std::string& text, const std::string& id) {
  body_ += (id.empty() ? std::string("<h3>") : "<h3 id=\"" + escape(id) + "\">") + escape(text) + "</h3>\n";
}

void Html::paragraph(const std::string& text) { body_ += "<p>" + escape(text) + "</p>\n"; }

void Html::preformatted(const std::string& text) { body_ += "<pre>" + escape(text) + "</pre>\n"; }

void Html::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                 const std::string& caption) {
  std::vector<std::vector<Cell>> cells;
  cells.reserve(rows.size());
  for (const auto& row : rows) cells.emplace_back(row.begin(), row.end());
  linked_table(header, cells, caption);
}

void Html::linked_table(const std::vector<std::string>& header, const std::vector<std::vector<Cell>>& rows,
                        const std::string& caption) {
  body_ += "<table>";
  if (!caption.empty()) body_ += "<caption>" + escape(caption) + "</caption>";
  body_ += "<thead><tr>";
  for (const auto& h : header) body_ += "<th>" + escape(h) + "</th>";
  body_ += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    body_ += "<tr>";
    for (const auto& cell : row) {
      body_ += numeric(cell.text) ? "<td class=\"n\"" : "<td";
      if (!cell.id.empty()) body_ += " id=\"" + escape(cell.id) + "\"";
      body_ += ">";
      body_ +=
          cell.href.empty() ? escape(cell.text) : "<a href=\"" + escape(cell.href) + "\">" + escape(cell.text) + "</a>";
      body_ += "</td>";
    }
    body_ += "</tr>\n";
  }
  body_ += "</tbody></table>\n";
}

void Html::begin_details(const std::string& summary, bool open) {
  body_ += std::string(open ? "<details open>" : "<details>") + "<summary>" + escape(summary) + "</summary>\n";
}

void Html::end_details() { body_ += "</details>\n"; }

std::string Html::anchor(const std::string& prefix, const std::string& text) {
  std::string out = prefix;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    out += isalnum(u) || c == '-' || c == '_' || c == '.' || c == ':' ? c : '-';
  }
  return out;
}

void Html::figure(const std::string& svg, const std::string& caption) {
  ++figures_;
  body_ += fmt::format("<figure id=\"fig{}\">{}<figcaption>Figure {}. {}</figcaption></figure>\n", figures_, svg,
                       figures_, escape(caption));
}

std::string Html::page() const {
  std::string nav = "<nav><ul>";
  for (const auto& [id, heading] : toc_)
    nav += fmt::format("<li><a href=\"#{}\">{}</a></li>", escape(id), escape(heading));
  nav += "</ul></nav>";
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>\n<style>{1}</style>\n"
      "<script>{2}</script></head>\n<body><h1>{0}</h1>\n{3}\n{4}</body></html>\n",
      escape(title_), kStyle, kRenderCheck, nav, body_);
}

}  // namespace sg::report

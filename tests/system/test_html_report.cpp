/// `arraysim report RUN_DIR --html` (docs/outputs.md, "HTML report"): one self-contained page with
/// the tables, the plots as inline SVG and the effective configuration. Where chromium is
/// installed the page is loaded in it, headless, and the DOM it built is checked (the sorting
/// script ran); everywhere the page is also parsed here as HTML: every element closed in order,
/// nothing loaded from elsewhere.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support.hpp"

using namespace arraysim::test;
namespace fs = std::filesystem;

namespace {

/// HTML elements that have no end tag.
bool is_void(const std::string& tag) {
  static const std::vector<std::string> v{"area",  "base", "br",   "col",   "embed",  "hr",    "img",
                                          "input", "link", "meta", "param", "source", "track", "wbr"};
  return std::find(v.begin(), v.end(), tag) != v.end();
}

/// Checks that every element of `html` is closed, in order (SVG's `<x/>` closes itself), that the
/// raw text of <script> and <style> holds no tag, and counts elements by name. Returns "" or the
/// first problem.
std::string check_nesting(const std::string& html, std::map<std::string, int>& count) {
  std::vector<std::string> open;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      i = html.find("-->", i);
      if (i == std::string::npos) return "unclosed comment";
      continue;
    }
    if (html.compare(i, 2, "<!") == 0 || html.compare(i, 2, "<?") == 0) {
      i = html.find('>', i);
      continue;
    }
    const bool closing = html[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    std::string name;
    while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == ':' || html[j] == '-'))
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[j++])));
    if (name.empty()) return "a '<' that starts no tag at " + std::to_string(i);
    // The end of the tag, skipping quoted attribute values.
    char quote = 0;
    for (; j < html.size(); ++j) {
      if (quote) {
        if (html[j] == quote) quote = 0;
      } else if (html[j] == '"' || html[j] == '\'') {
        quote = html[j];
      } else if (html[j] == '>') {
        break;
      }
    }
    if (j >= html.size()) return "unterminated tag <" + name;
    const bool self_closing = html[j - 1] == '/';
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) + ">";
      open.pop_back();
    } else {
      ++count[name];
      if (!self_closing && !is_void(name)) open.push_back(name);
      if (name == "script" || name == "style") {  // raw text up to the end tag
        const std::size_t end = html.find("</" + name + ">", j);
        if (end == std::string::npos) return "unclosed <" + name + ">";
        j = end - 1;
      }
    }
    i = j + 1;
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

/// The chromium executable on PATH, or "".
std::string chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    const auto r = run_shell(std::string("command -v ") + name);
    if (r.exit_code == 0 && !r.out.empty()) return r.out.substr(0, r.out.find('\n'));
  }
  return "";
}

}  // namespace

TEST_CASE("report --html writes one self-contained page with tables, plots and the configuration",
          "[system][report][html]") {
  TempDir d;
  const std::string out = d.path() + "/q";
  REQUIRE(run_cli("run " + src_path("configs/experiments/quickstart.yaml") + " --no-plots --out " + out).exit_code ==
          0);
  const auto r = run_cli("report " + out + " --html");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(",report.html}\n") != std::string::npos);
  const std::string html = read_text(out + "/report.html");
  REQUIRE(html.rfind("<!DOCTYPE html>\n", 0) == 0);

  std::map<std::string, int> count;
  CHECK(check_nesting(html, count) == "");
  CHECK(count["table"] == 3);  // layers, stalls, energy
  // The plots (roofline, cycle breakdown, utilization) when gnuplot drew them, else a note.
  const bool plots = run_shell("command -v gnuplot").exit_code == 0;
  CHECK(count["svg"] == (plots ? 3 : 0));
  // Self-contained: no reference to anything outside the file.
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  for (const char* id : {"id=\"layers\"", "id=\"stalls\"", "id=\"energy\"", "id=\"effective-config\""})
    CHECK(html.find(id) != std::string::npos);
  for (const char* id : {"id=\"plot-roofline\"", "id=\"plot-cycle_breakdown\"", "id=\"plot-utilization\""})
    CHECK((html.find(id) != std::string::npos) == plots);
  CHECK(html.find("name: quickstart") != std::string::npos);

  const std::string browser = chromium();
  if (browser.empty()) {
    WARN("chromium is not installed: the page was checked by parsing only");
    return;
  }
  // Headless chromium: the DOM after the page's script ran (tables marked data-sortable="ready").
  const std::string profile = d.path() + "/profile";
  const auto dom = run_shell(browser +
                             " --headless --no-sandbox --disable-gpu --disable-background-networking "
                             "--disable-component-update --no-first-run --user-data-dir=" +
                             profile + " --dump-dom file://" + out + "/report.html 2>/dev/null");
  INFO(dom.err);
  REQUIRE(dom.exit_code == 0);
  std::size_t ready = 0;
  for (std::size_t at = 0; (at = dom.out.find("data-sortable=\"ready\"", at)) != std::string::npos; ++at) ++ready;
  CHECK(ready == 3);
  CHECK((dom.out.find("<svg") != std::string::npos) == plots);
}

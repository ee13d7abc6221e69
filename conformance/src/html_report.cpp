// html_report.cpp - renders index.html (vmconform/html_report.hpp): the page, its inline styles,
// its SVG plots and the little script that fills in the headline and filters the matrix.
#include "vmconform/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "vmconform/catalogue.hpp"
#include "vmconform/coverage.hpp"
#include "vmconform/human.hpp"
#include "vmconform/reproducer.hpp"

#ifndef VMCONFORM_VERSION
#define VMCONFORM_VERSION "unknown"
#endif

namespace vmc {
namespace {

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += static_cast<char>(c);
    }
  }
  return out;
}

std::string num(double v, int decimals = 1) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

const Status kStatuses[] = {Status::pass, Status::fail, Status::xfail, Status::xpass, Status::skip};

/// The colour of a status in plots (the same as the badges' in the style sheet).
const char* colour(Status s) {
  switch (s) {
    case Status::pass: return "#2e7d32";
    case Status::fail: return "#c62828";
    case Status::xfail: return "#b26a00";
    case Status::xpass: return "#ad1457";
    case Status::skip: return "#9e9e9e";
  }
  return "#000";
}

/// The interface (and its documented method) an operation belongs to.
std::string interface_of(const std::string& operation) {
  if (operation == "WriteVirtual") return "ICorDebugMutableDataTarget::WriteVirtual";
  if (operation == "ReadVirtual") return "ICorDebugDataTarget::ReadVirtual";
  if (operation == "AllocateVirtualMemory") return "IJsDebugDataTarget::AllocateVirtualMemory";
  if (operation == "VirtualFree") return "IHostMemoryManager::VirtualFree";
  return "all three (cross-operation rules)";
}

std::string run_label(const RunResult& r) {
  return r.subject.name + " (" + profile_name(r.profile) + (r.shard ? ", shard " + r.shard->text() : "") + ")";
}

const RuleOutcome* outcome_of(const RunResult& r, const std::string& id) {
  for (const RuleOutcome& o : r.rules)
    if (o.id == id) return &o;
  return nullptr;
}

/// The shortest counterexample of a failing rule: op-sequence text when a property has one.
std::string counterexample_of(const RuleOutcome& o) {
  std::string best;
  for (const PropertyOutcome& p : o.properties) {
    if (p.status != Status::fail || p.counterexample.empty()) continue;
    const bool opseq = p.counterexample.rfind("vmconform-opseq", 0) == 0;
    const bool best_opseq = best.rfind("vmconform-opseq", 0) == 0;
    if (best.empty() || (opseq && !best_opseq) || (opseq == best_opseq && p.counterexample.size() < best.size()))
      best = p.counterexample;
  }
  return best;
}

constexpr const char* kCss = R"css(
:root{--pass:#2e7d32;--fail:#c62828;--xfail:#b26a00;--xpass:#ad1457;--skip:#757575;--none:#e0e0e0;--ink:#1d2330;--mute:#5f6675;--line:#d9dde5;--bg:#f6f7fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#c9cfdb}
main{padding:8px 28px 40px;max-width:1500px}section{background:#fff;border:1px solid var(--line);border-radius:8px;margin:18px 0;padding:14px 18px}
h2{font-size:17px;margin:2px 0 10px}h3{font-size:15px;margin:14px 0 6px}table{border-collapse:collapse;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{background:#fafbfc;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}.st{display:inline-block;min-width:46px;text-align:center;border-radius:4px;color:#fff;font-weight:600;font-size:12px;padding:1px 6px}
.st-pass{background:var(--pass)}.st-fail{background:var(--fail)}.st-xfail{background:var(--xfail)}.st-xpass{background:var(--xpass)}.st-skip{background:var(--skip)}.st-none{background:var(--none);color:#555}
#headline{font-size:18px;font-weight:600;margin:6px 0}#headline.bad{color:var(--fail)}#headline.good{color:var(--pass)}
.counts span{margin-right:14px}.matrix td.cell{text-align:center;padding:3px 4px}.matrix td.rule{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
.failure{border-left:4px solid var(--fail);padding:6px 12px;margin:12px 0;background:#fffafa}.failure.xfail{border-color:var(--xfail);background:#fffcf5}.failure.xpass{border-color:var(--xpass)}
pre{background:#f3f4f7;border:1px solid var(--line);border-radius:6px;padding:8px 10px;overflow:auto;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;max-height:360px;white-space:pre-wrap;word-break:break-all}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f3f4f7;padding:1px 4px;border-radius:3px}.mute{color:var(--mute)}
button{font:12px system-ui,sans-serif;border:1px solid var(--line);background:#fff;border-radius:4px;padding:2px 8px;cursor:pointer}
.plots{display:flex;flex-wrap:wrap;gap:18px}.plot{flex:1 1 460px}svg text{font:11px system-ui,"DejaVu Sans",sans-serif;fill:#1d2330}
details summary{cursor:pointer;color:var(--mute)}label{user-select:none}
)css";

constexpr const char* kScript = R"js(
(function(){
  var data = JSON.parse(document.getElementById('vmc-data').textContent);
  var failing = 0, runsFailing = 0, total = {pass:0,fail:0,xfail:0,xpass:0,skip:0};
  data.runs.forEach(function(r){
    var bad = r.summary.fail + r.summary.xpass;
    failing += bad; if (bad > 0) runsFailing++;
    Object.keys(total).forEach(function(k){ total[k] += r.summary[k]; });
  });
  var h = document.getElementById('headline');
  function plural(n, w){ return n + ' ' + w + (n === 1 ? '' : 's'); }
  h.textContent = failing > 0
    ? plural(failing, 'failing rule') + ' in ' + plural(runsFailing, 'run') + ' of ' + data.runs.length
    : 'every checked rule passed in ' + plural(data.runs.length, 'run');
  h.className = failing > 0 ? 'bad' : 'good';
  Object.keys(total).forEach(function(k){
    var e = document.getElementById('total-' + k); if (e) e.textContent = total[k];
  });
  var only = document.getElementById('only-failing');
  only.addEventListener('change', function(){
    document.querySelectorAll('tr[data-ok]').forEach(function(tr){
      tr.style.display = only.checked && tr.getAttribute('data-ok') === '1' ? 'none' : '';
    });
  });
  document.querySelectorAll('button[data-copy]').forEach(function(b){
    b.addEventListener('click', function(){
      var t = b.getAttribute('data-copy');
      if (navigator.clipboard) navigator.clipboard.writeText(t).then(function(){ b.textContent = 'copied'; });
    });
  });
})();
)js";

/// Horizontal stacked bars: one row per label, segments per status (counts).
std::string stacked_bars_svg(const std::vector<std::pair<std::string, std::map<Status, int>>>& rows,
                             const std::string& aria) {
  const int label_w = 330, bar_w = 360, row_h = 22, top = 8;
  int max_total = 1;
  for (const auto& [label, counts] : rows) {
    int t = 0;
    for (const auto& [s, n] : counts) t += n;
    max_total = std::max(max_total, t);
  }
  const int height = top + row_h * static_cast<int>(rows.size()) + 30;
  std::ostringstream o;
  o << "<svg role=\"img\" aria-label=\"" << esc(aria) << "\" width=\"" << label_w + bar_w + 60 << "\" height=\""
    << height << "\" viewBox=\"0 0 " << label_w + bar_w + 60 << " " << height << "\">";
  int y = top;
  for (const auto& [label, counts] : rows) {
    o << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\">" << esc(label) << "</text>";
    double x = label_w;
    int t = 0;
    for (Status s : kStatuses) {
      const auto it = counts.find(s);
      if (it == counts.end() || it->second == 0) continue;
      const double w = bar_w * it->second / static_cast<double>(max_total);
      o << "<rect x=\"" << num(x) << "\" y=\"" << y + 3 << "\" width=\"" << num(w) << "\" height=\"" << row_h - 6
        << "\" fill=\"" << colour(s) << "\"><title>" << esc(label) << ": " << it->second << " "
        << status_name(s) << "</title></rect>";
      x += w;
      t += it->second;
    }
    o << "<text x=\"" << num(x + 5) << "\" y=\"" << y + 15 << "\">" << t << "</text>";
    y += row_h;
  }
  int lx = label_w;
  for (Status s : kStatuses) {
    o << "<rect x=\"" << lx << "\" y=\"" << y + 10 << "\" width=\"10\" height=\"10\" fill=\"" << colour(s)
      << "\"/><text x=\"" << lx + 14 << "\" y=\"" << y + 19 << "\">" << status_name(s) << "</text>";
    lx += 62;
  }
  o << "</svg>";
  return o.str();
}

std::string bar_figure_svg(const BarFigure& f) {
  const int label_w = 230, bar_w = 380, row_h = 22;
  double max = f.max;
  for (const auto& [l, v] : f.bars) max = std::max(max, v);
  if (!(max > 0)) max = 1;
  const int height = row_h * static_cast<int>(f.bars.size()) + 12;
  std::ostringstream o;
  o << "<svg role=\"img\" aria-label=\"" << esc(f.title) << "\" width=\"" << label_w + bar_w + 110 << "\" height=\""
    << height << "\">";
  int y = 4;
  for (const auto& [label, v] : f.bars) {
    const double w = bar_w * v / max;
    o << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\">" << esc(label)
      << "</text><rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << num(std::max(w, 1.0))
      << "\" height=\"" << row_h - 6 << "\" fill=\"#3f6fb5\"><title>" << esc(label) << ": " << num(v, v < 100 ? 1 : 0)
      << " " << esc(f.unit) << "</title></rect><text x=\"" << num(label_w + w + 5) << "\" y=\"" << y + 15 << "\">"
      << num(v, v < 100 && std::floor(v) != v ? 1 : 0) << " " << esc(f.unit) << "</text>";
    y += row_h;
  }
  o << "</svg>";
  return o.str();
}

std::string line_figure_svg(const LineFigure& f) {
  const int w = 620, h = 240, left = 60, bottom = 36, top = 10, right = 16;
  double xmax = 1, ymax = 1;
  for (const auto& [x, y] : f.points) xmax = std::max(xmax, x), ymax = std::max(ymax, y);
  const auto px = [&](double x) { return left + (w - left - right) * x / xmax; };
  const auto py = [&](double y) { return top + (h - top - bottom) * (1 - y / ymax); };
  std::ostringstream o;
  o << "<svg role=\"img\" aria-label=\"" << esc(f.title) << "\" width=\"" << w << "\" height=\"" << h << "\">"
    << "<line x1=\"" << left << "\" y1=\"" << h - bottom << "\" x2=\"" << w - right << "\" y2=\"" << h - bottom
    << "\" stroke=\"#999\"/><line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\"" << h - bottom
    << "\" stroke=\"#999\"/>";
  o << "<polyline fill=\"none\" stroke=\"#3f6fb5\" stroke-width=\"2\" points=\"";
  for (const auto& [x, y] : f.points) o << num(px(x)) << "," << num(py(y)) << " ";
  o << "\"/>";
  o << "<text x=\"" << left - 4 << "\" y=\"" << top + 8 << "\" text-anchor=\"end\">" << num(ymax, 0) << "</text>"
    << "<text x=\"" << left - 4 << "\" y=\"" << h - bottom << "\" text-anchor=\"end\">0</text>"
    << "<text x=\"" << w - right << "\" y=\"" << h - bottom + 14 << "\" text-anchor=\"end\">" << num(xmax, 0)
    << "</text><text x=\"" << (w + left) / 2 << "\" y=\"" << h - 6 << "\" text-anchor=\"middle\">" << esc(f.x_label)
    << "</text><text x=\"12\" y=\"" << (h - bottom) / 2 << "\" transform=\"rotate(-90 12 " << (h - bottom) / 2
    << ")\" text-anchor=\"middle\">" << esc(f.y_label) << "</text></svg>";
  return o.str();
}

std::string badge(Status s) { return "<span class=\"st st-" + status_name(s) + "\">" + status_name(s) + "</span>"; }

void runs_section(std::ostringstream& o, const std::vector<RunResult>& runs) {
  o << "<section id=\"runs\"><h2>Runs</h2><div id=\"headline\"></div><noscript><p>(the headline needs JavaScript; "
       "the tables below do not)</p></noscript><p class=\"counts\">All runs: ";
  std::map<std::string, int> total;
  for (const RunResult& r : runs)
    for (const auto& [k, v] : r.summary()) total[k] += v;
  for (Status s : kStatuses)
    o << "<span>" << badge(s) << " <b id=\"total-" << status_name(s) << "\">" << total[status_name(s)] << "</b></span>";
  o << "</p><table><tr><th>target</th><th>profile</th><th>seed</th><th>cases per property</th><th>time</th>";
  for (Status s : kStatuses) o << "<th>" << status_name(s) << "</th>";
  o << "<th>coverage</th></tr>";
  for (const RunResult& r : runs) {
    const auto s = r.summary();
    std::size_t reached = 0;
    for (std::uint64_t h : r.coverage.hits) reached += h > 0;
    o << "<tr><td><b>" << esc(r.subject.name) << "</b>" << (r.plugin ? " <span class=\"mute\">(plugin)</span>" : "")
      << (r.shard ? " <span class=\"mute\">shard " + r.shard->text() + "</span>" : "") << "</td><td>"
      << profile_name(r.profile) << "</td><td class=\"num\">" << r.seed << "</td><td class=\"num\">" << r.cases
      << "</td><td class=\"num\">" << duration_text(r.seconds) << "</td>";
    for (Status st : kStatuses) o << "<td class=\"num\">" << s.at(status_name(st)) << "</td>";
    o << "<td class=\"num\">" << reached << " / " << coverage::cells().size() << " cells</td></tr>";
  }
  o << "</table></section>";
}

void matrix_section(std::ostringstream& o, const std::vector<RunResult>& runs) {
  o << "<section id=\"matrix\"><h2>Rules &times; runs</h2><p><label><input type=\"checkbox\" id=\"only-failing\"> "
       "only the rules that do not pass everywhere</label></p><table class=\"matrix\"><tr><th>rule</th><th>operation"
       "</th>";
  for (const RunResult& r : runs) o << "<th>" << esc(run_label(r)) << "</th>";
  o << "</tr>";
  for (const Rule& rule : rules()) {
    bool any = false, ok = true;
    std::string cells;
    for (const RunResult& r : runs) {
      const RuleOutcome* out = outcome_of(r, rule.id);
      if (!out) {
        cells += "<td class=\"cell\"><span class=\"st st-none\" title=\"not run\">&ndash;</span></td>";
        continue;
      }
      any = true;
      ok = ok && (out->status == Status::pass || out->status == Status::skip);
      cells += "<td class=\"cell\" title=\"" + esc(out->message.substr(0, 300)) + "\">" + badge(out->status) + "</td>";
    }
    if (!any) continue;
    o << "<tr data-ok=\"" << (ok ? 1 : 0) << "\"><td class=\"rule\" title=\"" << esc(rule.text) << "\">" << rule.id
      << "</td><td>" << esc(rule.operation) << "</td>" << cells << "</tr>";
  }
  o << "</table></section>";
}

void summary_section(std::ostringstream& o, const std::vector<RunResult>& runs) {
  const auto table = [&](const std::string& title, auto key_of) {
    std::vector<std::string> keys;
    for (const Rule& rule : rules())
      if (std::find(keys.begin(), keys.end(), key_of(rule)) == keys.end()) keys.push_back(key_of(rule));
    o << "<h3>" << title << "</h3><table><tr><th></th>";
    for (const RunResult& r : runs) o << "<th>" << esc(run_label(r)) << "</th>";
    o << "</tr>";
    for (const std::string& k : keys) {
      o << "<tr><td>" << esc(k) << "</td>";
      for (const RunResult& r : runs) {
        std::map<Status, int> c;
        for (const RuleOutcome& out : r.rules)
          if (const Rule* rule = find_rule(out.id); rule && key_of(*rule) == k) ++c[out.status];
        std::string cell;
        for (Status s : kStatuses)
          if (c[s] > 0) cell += (cell.empty() ? "" : " ") + std::to_string(c[s]) + " " + status_name(s);
        o << "<td>" << (cell.empty() ? "<span class=\"mute\">not run</span>" : esc(cell)) << "</td>";
      }
      o << "</tr>";
    }
    o << "</table>";
  };
  o << "<section id=\"summary\"><h2>Per operation and per interface</h2>";
  table("Per operation", [](const Rule& r) { return r.operation; });
  table("Per interface", [](const Rule& r) { return interface_of(r.operation); });
  table("Per layer", [](const Rule& r) { return r.layer; });
  // The plot: pass/fail per operation and target.
  std::vector<std::pair<std::string, std::map<Status, int>>> rows;
  for (const std::string op : {"WriteVirtual", "ReadVirtual", "AllocateVirtualMemory", "VirtualFree", "all"})
    for (const RunResult& r : runs) {
      std::map<Status, int> c;
      for (const RuleOutcome& out : r.rules)
        if (const Rule* rule = find_rule(out.id); rule && rule->operation == op) ++c[out.status];
      if (!c.empty()) rows.push_back({op + " - " + run_label(r), c});
    }
  o << "<h3>Pass and fail per operation and target</h3><div class=\"plot\">"
    << stacked_bars_svg(rows, "rules by status, per operation and target") << "</div></section>";
}

void failures_section(std::ostringstream& o, const std::vector<RunResult>& runs) {
  o << "<section id=\"failures\"><h2>Failing rules</h2>";
  bool any = false;
  for (const RunResult& r : runs)
    for (const RuleOutcome& out : r.rules) {
      if (out.status != Status::fail && out.status != Status::xpass && out.status != Status::xfail) continue;
      any = true;
      const Rule* rule = find_rule(out.id);
      const std::string ce = counterexample_of(out);
      o << "<div class=\"failure " << status_name(out.status) << "\"><h3>" << badge(out.status) << " " << out.id
        << " <span class=\"mute\">in " << esc(run_label(r)) << "</span></h3>";
      if (rule)
        o << "<p><b>Rule:</b> " << esc(rule->text) << "<br><span class=\"mute\">Source: " << esc(rule->source)
          << " &middot; " << esc(rule->operation) << ", " << esc(rule->layer) << "</span></p>";
      o << "<p><b>What happened:</b> " << esc(out.message.substr(0, 2000)) << "</p>";
      if (!ce.empty())
        o << "<p><b>Minimised counterexample</b>" << (ce.rfind("vmconform-opseq", 0) == 0 ? " (op-sequence text: save "
                                                                                       "it as a .opseq file and "
                                                                                       "<code>vmconform replay</code> it)"
                                                                                     : "")
          << ":</p><pre class=\"counterexample\">" << esc(ce) << "</pre>";
      if (!out.reproducer.empty())
        o << "<p><b>Reproduce:</b> <code class=\"reproducer\">" << esc(out.reproducer)
          << "</code> <button data-copy=\"" << esc(out.reproducer) << "\">copy</button></p>";
      o << "</div>";
    }
  if (!any) o << "<p>No rule failed.</p>";
  o << "</section>";
}

void coverage_section(std::ostringstream& o, const std::vector<RunResult>& runs) {
  o << "<section id=\"coverage\"><h2>Coverage of the state space</h2><p class=\"mute\">The cells of "
       "spec/coverage.md: states and boundaries where bugs live, judged in the reference model's state before "
       "each call. Reached: a call of the run was in that state; unreachable: the backend cannot reach it, with "
       "the reason; missed: neither (a gap of the generators).</p><div class=\"plots\">";
  for (const RunResult& r : runs) {
    std::vector<std::pair<std::string, std::map<Status, int>>> rows;
    std::vector<std::string> missed = r.coverage.missed();
    for (const auto& [group, text] : coverage::groups()) {
      std::map<Status, int> c;  // reached = pass, unreachable = skip, missed = fail
      for (std::size_t i = 0; i < coverage::cells().size(); ++i) {
        const coverage::Cell& cell = coverage::cells()[i];
        if (cell.group != group) continue;
        if (r.coverage.hits[i] > 0) ++c[Status::pass];
        else if (r.coverage.unreachable.count(cell.id)) ++c[Status::skip];
        else ++c[Status::fail];
      }
      rows.push_back({group, c});
    }
    o << "<div class=\"plot\"><h3>" << esc(run_label(r)) << "</h3>"
      << stacked_bars_svg(rows, "coverage cells of " + run_label(r) +
                                    " per class: pass = reached, fail = missed, skip = unreachable")
      << "<p class=\"mute\">green: reached, red: missed, grey: unreachable</p>";
    if (!missed.empty()) {
      o << "<details><summary>" << count_text(missed.size(), "missed cell") << "</summary><ul>";
      for (const std::string& id : missed) o << "<li><code>" << esc(id) << "</code></li>";
      o << "</ul></details>";
    }
    o << "<details><summary>" << count_text(r.coverage.unreachable.size(), "unreachable cell")
      << ", with the reasons</summary><table>";
    for (const auto& [id, why] : r.coverage.unreachable)
      o << "<tr><td><code>" << esc(id) << "</code></td><td>" << esc(why) << "</td></tr>";
    o << "</table></details></div>";
  }
  o << "</div></section>";
}

void figures_section(std::ostringstream& o, const ReportFigures& f) {
  if (f.bars.empty() && f.lines.empty()) return;
  o << "<section id=\"figures\"><h2>Mutation score, fuzzing and benchmarks</h2><div class=\"plots\">";
  for (const BarFigure& b : f.bars)
    o << "<div class=\"plot\"><h3>" << esc(b.title) << "</h3>" << bar_figure_svg(b) << "<p class=\"mute\">"
      << esc(b.note) << "</p></div>";
  for (const LineFigure& l : f.lines)
    o << "<div class=\"plot\"><h3>" << esc(l.title) << "</h3>" << line_figure_svg(l) << "<p class=\"mute\">"
      << esc(l.note) << "</p></div>";
  o << "</div></section>";
}

}  // namespace

std::string report_html(const std::vector<RunResult>& runs, const ReportFigures& figures, const std::string& title) {
  nlohmann::json data{{"runs", nlohmann::json::array()}};
  for (const RunResult& r : runs)
    data["runs"].push_back({{"target", r.subject.name}, {"profile", profile_name(r.profile)}, {"summary", r.summary()}});
  std::string island = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  for (std::size_t at = island.find("</"); at != std::string::npos; at = island.find("</", at + 2))
    island.replace(at, 2, "<\\/");
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
       "content=\"width=device-width, initial-scale=1\"><title>"
    << esc(title) << "</title><style>" << kCss << "</style></head><body><header><h1>" << esc(title)
    << "</h1><p>WriteVirtual, AllocateVirtualMemory and VirtualFree against spec/rules.json &middot; "
    << count_text(runs.size(), "run") << " &middot; vmconform " << VMCONFORM_VERSION << "</p></header><main>";
  runs_section(o, runs);
  matrix_section(o, runs);
  failures_section(o, runs);
  summary_section(o, runs);
  coverage_section(o, runs);
  figures_section(o, figures);
  o << "<p class=\"mute\">Self-contained: this page loads nothing from the network or from other files.</p></main>"
    << "<script id=\"vmc-data\" type=\"application/json\">" << island << "</script><script>" << kScript
    << "</script></body></html>\n";
  return o.str();
}

}  // namespace vmc

// tools/slipctl/render.cc: text forms of workflows, steps and tables.
#include "tools/slipctl/render.h"

#include <algorithm>

namespace slipway::slipctl {

using nlohmann::json;

namespace {

std::vector<std::string> TableLines(const std::vector<std::string>& header,
                                    const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  widen(header);
  for (const auto& r : rows) widen(r);
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      s += row[i];
      if (i + 1 < row.size()) s += std::string(width[i] - row[i].size() + 2, ' ');
    }
    return s;
  };
  std::vector<std::string> out = {line(header)};
  for (const auto& r : rows) out.push_back(line(r));
  return out;
}

const json& StepsOf(const json& workflow) {
  static const json kNone = json::array();
  if (!workflow.is_object()) return kNone;
  auto it = workflow.find("steps");
  return it != workflow.end() && it->is_array() ? *it : kNone;
}

// The step named current_step, or null.
json CurrentStep(const json& workflow) {
  const std::string current = Cell(workflow, "current_step");
  for (const json& s : StepsOf(workflow)) {
    if (s.is_object() && s.value("name", "") == current) return s;
  }
  return nullptr;
}

}  // namespace

std::string Cell(const json& obj, const std::string& key) {
  if (!obj.is_object()) return "-";
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "-";
  if (it->is_string()) return it->get<std::string>();
  return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Truncate(const std::string& s, size_t width) {
  if (s.size() <= width || width < 4) return s;
  return s.substr(0, width - 3) + "...";
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  for (const auto& l : TableLines(header, rows)) out << l << "\n";
}

int StepsDone(const json& workflow) {
  int done = 0;
  for (const json& s : StepsOf(workflow)) {
    const std::string st = Cell(s, "status");
    if (st == "succeeded" || st == "skipped") ++done;
  }
  return done;
}

int StepsTotal(const json& workflow) { return static_cast<int>(StepsOf(workflow).size()); }

std::string ProgressBar(int done, int total, int width) {
  int filled = total > 0 ? std::clamp(done * width / total, 0, width) : 0;
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
}

bool IsFinalStatus(const std::string& status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

std::vector<std::string> WorkflowLines(const json& w) {
  const int done = StepsDone(w);
  const int total = StepsTotal(w);
  std::vector<std::string> lines = {
      "id:       " + Cell(w, "id"),
      "type:     " + Cell(w, "type") + "    tenant: " + Cell(w, "tenant"),
      "status:   " + Cell(w, "status") + "    step: " + Cell(w, "current_step") +
          "    version: " + Cell(w, "version"),
      "created:  " + Cell(w, "created_at") + "    updated: " + Cell(w, "updated_at"),
      "progress: " + ProgressBar(done, total, 30) + " " + std::to_string(done) + "/" +
          std::to_string(total),
  };
  if (Cell(w, "queued_behind") != "-") lines.push_back("behind:   " + Cell(w, "queued_behind"));
  if (Cell(w, "error") != "-") lines.push_back("error:    " + Truncate(Cell(w, "error"), 200));
  if (Cell(w, "result") != "-") lines.push_back("result:   " + Truncate(Cell(w, "result"), 200));
  if (total == 0) return lines;
  std::vector<std::vector<std::string>> rows;
  for (const json& s : StepsOf(w)) {
    rows.push_back({Cell(s, "name"), Cell(s, "status"), Cell(s, "attempts"), Cell(s, "started_at"),
                    Cell(s, "ended_at"), Cell(s, "next_attempt_at"),
                    Truncate(Cell(s, "error"), 60)});
  }
  lines.push_back("");
  for (auto& l : TableLines(
           {"STEP", "STATUS", "ATTEMPTS", "STARTED", "ENDED", "NEXT ATTEMPT", "ERROR"}, rows)) {
    lines.push_back(std::move(l));
  }
  return lines;
}

std::string WorkflowSummaryLine(const json& w) {
  const int done = StepsDone(w);
  const int total = StepsTotal(w);
  std::string line = Cell(w, "updated_at") + " " + Cell(w, "status") + " " +
                     ProgressBar(done, total, 20) + " " + std::to_string(done) + "/" +
                     std::to_string(total);
  const json step = CurrentStep(w);
  if (step.is_object()) {
    line += " step " + Cell(step, "name") + " " + Cell(step, "status") + " (attempt " +
            Cell(step, "attempts") + ")";
    if (Cell(step, "next_attempt_at") != "-") line += " next at " + Cell(step, "next_attempt_at");
  }
  if (Cell(w, "error") != "-") line += " error: " + Truncate(Cell(w, "error"), 160);
  return line;
}

}  // namespace slipway::slipctl

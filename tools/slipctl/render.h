// tools/slipctl/render.h: how slipctl shows API values as text: aligned tables, a workflow
// with its steps, progress bars, one-line summaries. Pure functions over the JSON the API
// serves (docs/openapi.json); tolerant of missing fields (shown as "-").
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace slipway::slipctl {

// A JSON value as a table cell: strings bare, null/absent as "-", the rest as compact JSON.
std::string Cell(const nlohmann::json& obj, const std::string& key);
// Cuts `s` to at most `width` characters, marking the cut with "...".
std::string Truncate(const std::string& s, size_t width);

// Columns padded to their widest cell, separated by two spaces.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// Steps counted as done: succeeded or skipped.
int StepsDone(const nlohmann::json& workflow);
int StepsTotal(const nlohmann::json& workflow);
// "[#####.....]" of `width` cells.
std::string ProgressBar(int done, int total, int width);
bool IsFinalStatus(const std::string& status);

// The workflow's header lines and its step table, as `get` and `watch` show them.
std::vector<std::string> WorkflowLines(const nlohmann::json& workflow);
// One line: status, progress, the current step with its status and attempts, the error.
std::string WorkflowSummaryLine(const nlohmann::json& workflow);

}  // namespace slipway::slipctl

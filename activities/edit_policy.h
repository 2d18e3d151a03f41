// activities/edit_policy.h: which files the model may edit, and which edits it may not make.
//
// Model output is hostile input (a tenant's code and build errors can steer it). The policy:
//  - paths: a file may be edited only when it lies under one of `path_prefixes` (folders, by
//    default src/ app/ pages/ components/ lib/ styles/) and ends with one of `extensions` (code
//    and style sheets). A hard deny list wins over any configuration: manifests and lockfiles
//    (package.json, package-lock.json, yarn.lock, ...), .npmrc and every other hidden file or
//    folder (.github/, .env*, .eslintrc*), build/type/lint configs (next.config.*, tsconfig*,
//    jsconfig*, eslint.config.*, babel/postcss/tailwind configs), vercel.json, anything under a
//    scripts/ or node_modules/ folder, and shell or batch scripts;
//  - edits that switch checks off: new_text adding @ts-nocheck, @ts-ignore, @ts-expect-error,
//    eslint-disable (every form) or an inline /* eslint ... */ configuration comment; an edit
//    that leaves the file empty; edits that delete more than max_deleted_lines lines (net) from
//    one file, counted over all the reply's edits to it.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "activities/service_config.h"
#include "engine/base/status.h"

namespace slipway::activities {

struct EditPolicy {
  // Folders (relative, ending in '/') a model's edit may touch.
  std::vector<std::string> path_prefixes = {"src/", "app/", "pages/", "components/", "lib/",
                                            "styles/"};
  // File name endings a model's edit may touch (".module.css" is covered by ".css").
  std::vector<std::string> extensions = {".ts",  ".tsx", ".js",  ".jsx",  ".mjs",  ".cjs",
                                         ".mts", ".cts", ".css", ".scss", ".sass", ".less"};
  size_t max_deleted_lines = 20;  // net lines one reply may remove from one file
};

// Why the model may not edit `path` (a reason for the result), or nullopt when it may.
// Requires: IsEditablePath(path) (relative, no "..").
std::optional<std::string> PathRefusal(const EditPolicy& policy, const std::string& path);

// Why an edit replacing old_text by new_text switches a check off (it adds a directive such as
// @ts-ignore or eslint-disable that old_text did not hold), or nullopt.
std::optional<std::string> DirectiveRefusal(const std::string& old_text,
                                            const std::string& new_text);

// Lines the edit removes, net (newlines in old_text minus newlines in new_text; may be < 0).
long NetDeletedLines(const std::string& old_text, const std::string& new_text);

// True when text is empty or only whitespace.
bool IsBlank(const std::string& text);

// The policy from SLIPWAY_AUTOFIX_PATHS (comma-separated folders), SLIPWAY_AUTOFIX_EXTENSIONS
// (comma-separated, each starting with '.') and SLIPWAY_AUTOFIX_MAX_DELETED_LINES (0..10000);
// unset or empty variables keep the defaults. Errors: kInvalidArgument naming the variable
// (an absolute folder, one with "..", an extension without its dot, a bad number).
Result<EditPolicy> EditPolicyFromEnv(const GetEnvFn& getenv);

}  // namespace slipway::activities

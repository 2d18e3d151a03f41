// engine/base/git_names.h: validation of the names that end up in a URL path or a DNS lookup:
// git branch/ref names (git's ref-name rules), commit shas, GitHub owner/repo names, opaque
// remote ids (Vercel deployment/project ids) and DNS host names.
//
// Every check is a linear loop over the bytes (no regex), bounded by a length cap checked
// first. Each returns kInvalidArgument naming `field`, with a message fit for the client;
// the offending value is never echoed (it may be megabytes). Pure functions; thread-safe.
#pragma once

#include <string>

#include "engine/base/status.h"

namespace slipway {

inline constexpr size_t kMaxRefNameLength = 200;
inline constexpr size_t kMaxRepoNameLength = 100;
inline constexpr size_t kMaxRemoteIdLength = 128;

// A branch name as `git check-ref-format --branch` accepts it, minus the "@{-N}" shorthand:
// no "..", "@{", "//", "\", control characters, space, "~ ^ : ? * [" or DEL; not "@"; no
// component that starts with '.' or ends with ".lock"; no leading '/' or '-', no trailing '/'
// or '.'; 1..kMaxRefNameLength bytes. A 40-hex commit sha passes too (it is a valid name).
Status ValidateRefName(const std::string& ref, const std::string& field);
// A branch name made from an arbitrary id (e.g. a workflow id "<tenant>:<name>", whose ':' git
// refuses in a ref): prefix + id with every ':' turned into '/' when that passes
// ValidateRefName (':' never occurs in such a name, so distinct ids give distinct names), else
// prefix + "sha-" + the first 40 hex digits of the id's SHA-256 (a component starting with '.',
// "..", ".lock", "//", too long...). The prefix must itself be valid (e.g. "slipway/").
std::string BranchNameFor(const std::string& prefix, const std::string& id);
// Exactly 40 hex digits (either case).
bool IsCommitSha(const std::string& sha);
Status ValidateCommitSha(const std::string& sha, const std::string& field);
// A GitHub owner or repository name: [A-Za-z0-9._-], 1..kMaxRepoNameLength, not "." or "..".
Status ValidateRepoName(const std::string& name, const std::string& field);
// An opaque id of a remote object (a Vercel deployment or project id, a project name):
// [A-Za-z0-9._-], 1..kMaxRemoteIdLength, not starting with '.' (so never "." or "..").
Status ValidateRemoteId(const std::string& id, const std::string& field);
// A DNS host name: 2+ labels of [A-Za-z0-9-], each 1-63 bytes without a leading or trailing
// '-', 253 bytes at most, the last label not all digits (no IP addresses).
bool IsHostName(const std::string& name);
// ASCII lower case of a host name (host names compare case-insensitively).
std::string LowerHostName(const std::string& name);
// True when `host` equals `base` or is a subdomain of it (case-insensitive); false for an
// empty base.
bool IsUnderDomain(const std::string& host, const std::string& base);

}  // namespace slipway

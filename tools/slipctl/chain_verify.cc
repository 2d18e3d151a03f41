// tools/slipctl/chain_verify.cc: served history events back into chained fields, and the chain
// walk (the same checks as engine/audit.cc's VerifyChain, over the wire form).
#include "tools/slipctl/chain_verify.h"

#include <cctype>

namespace slipway::slipctl {

using nlohmann::json;

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Reads exactly `n` digits at text[pos]; advances pos.
bool Digits(const std::string& text, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Expect(const std::string& text, size_t& pos, const char* chars) {
  if (pos >= text.size() || std::string(chars).find(text[pos]) == std::string::npos) return false;
  ++pos;
  return true;
}

// Milliseconds of an optional ".fraction" at pos (digits beyond the third are cut).
bool Fraction(const std::string& text, size_t& pos, int64_t& ms) {
  ms = 0;
  if (pos >= text.size() || text[pos] != '.') return true;
  ++pos;
  size_t digits = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    if (digits < 3) ms = ms * 10 + (text[pos] - '0');
    ++digits;
    ++pos;
  }
  for (size_t i = digits; i < 3; ++i) ms *= 10;
  return digits > 0;
}

// Offset east of UTC in minutes from "Z" or "+hh:mm"/"-hh:mm" ending the text.
bool Offset(const std::string& text, size_t& pos, int64_t& minutes) {
  minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) return ++pos == text.size();
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return false;
  const int64_t sign = text[pos++] == '-' ? -1 : 1;
  int64_t h = 0, m = 0;
  if (!Digits(text, pos, 2, h) || !Expect(text, pos, ":") || !Digits(text, pos, 2, m)) return false;
  minutes = sign * (h * 60 + m);
  return pos == text.size() && h < 24 && m < 60;
}

std::string Short(const std::string& hash) { return hash.substr(0, 16); }

}  // namespace

Result<TimeMs> ParseRfc3339(const std::string& text) {
  const Status bad = InvalidArgument("at", "'" + text.substr(0, 40) + "' is not an RFC 3339 time");
  size_t pos = 0;
  int64_t y, mo, d, h, mi, s, ms, off;
  if (!Digits(text, pos, 4, y) || !Expect(text, pos, "-") || !Digits(text, pos, 2, mo) ||
      !Expect(text, pos, "-") || !Digits(text, pos, 2, d) || !Expect(text, pos, "Tt ") ||
      !Digits(text, pos, 2, h) || !Expect(text, pos, ":") || !Digits(text, pos, 2, mi) ||
      !Expect(text, pos, ":") || !Digits(text, pos, 2, s) || !Fraction(text, pos, ms) ||
      !Offset(text, pos, off)) {
    return bad;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return bad;
  const int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - off * 60;
  return seconds * 1000 + ms;
}

Result<ChainedFields> FieldsFromServed(const std::string& workflow_id, const json& e) {
  if (!e.is_object()) return InvalidArgument("event", "not a JSON object");
  ChainedFields f;
  f.workflow_id = workflow_id;
  auto seq = e.find("seq");
  if (seq == e.end() || !seq->is_number_integer()) return InvalidArgument("seq", "missing");
  f.seq = seq->get<int64_t>();
  auto at = e.find("at");
  if (at == e.end() || !at->is_string()) return InvalidArgument("at", "missing");
  Result<TimeMs> at_ms = ParseRfc3339(at->get<std::string>());
  if (!at_ms.ok()) return at_ms.status();
  f.at_ms = *at_ms;
  auto type = e.find("type");
  auto step = e.find("step");
  auto attempt = e.find("attempt");
  auto actor = e.find("actor");
  if (type == e.end() || !type->is_string()) return InvalidArgument("type", "missing");
  if (step != e.end() && !step->is_null() && !step->is_string()) {
    return InvalidArgument("step", "neither a string nor null");
  }
  if (attempt == e.end() || !attempt->is_number_integer()) {
    return InvalidArgument("attempt", "missing");
  }
  if (actor == e.end() || !actor->is_string()) return InvalidArgument("actor", "missing");
  f.type = type->get<std::string>();
  f.step = step != e.end() && step->is_string() ? step->get<std::string>() : "";
  f.attempt = attempt->get<int>();
  f.actor = actor->get<std::string>();
  const json data = e.value("data", json::object());
  f.data_json = data.dump(-1, ' ', false, json::error_handler_t::replace);
  return f;
}

Status ChainVerifier::Break(int64_t seq, const std::string& why) {
  broken_ = Corruption("chain breaks at seq " + std::to_string(seq) + ": " + why);
  return broken_;
}

Status ChainVerifier::Add(const json& event) {
  if (!broken_.ok()) return broken_;
  Result<ChainedFields> f = FieldsFromServed(workflow_id_, event);
  if (!f.ok()) {
    return Break(expected_seq_,
                 "malformed event (" + f.status().field() + ": " + f.status().message() + ")");
  }
  if (f->seq != expected_seq_) {
    return Break(expected_seq_, "the event served next is seq " + std::to_string(f->seq) +
                                    " (an event is missing or out of order)");
  }
  const std::string prev = event.value("prev_hash", "");
  const std::string hash = event.value("hash", "");
  if (prev != prev_hash_) {
    return Break(f->seq, "prev_hash " + Short(prev) + "... is not the hash of the event before (" +
                             Short(prev_hash_) + "...)");
  }
  const std::string recomputed = ChainHash(prev_hash_, *f);
  if (recomputed != hash) {
    return Break(f->seq, "hash does not match the event's content (stored " + Short(hash) +
                             "..., recomputed " + Short(recomputed) + "...)");
  }
  for (const ChainAnchor& a : anchors_) {
    if (a.seq == f->seq && a.hash != hash) {
      return Break(f->seq, "hash " + Short(hash) + "... is not " + a.name + " " + Short(a.hash) +
                               "... (the history was rewritten)");
    }
  }
  prev_hash_ = hash;
  ++expected_seq_;
  return Status::Ok();
}

Status ChainVerifier::Finish() {
  if (!broken_.ok()) return broken_;
  for (const ChainAnchor& a : anchors_) {
    if (events() < a.seq) {
      return Break(events() + 1, "the history ends at seq " + std::to_string(events()) +
                                     ", before " + a.name + " at seq " + std::to_string(a.seq) +
                                     " (events were removed)");
    }
  }
  return Status::Ok();
}

Result<ChainAnchor> ParseAnchor(const std::string& text) {
  const Status bad = InvalidArgument("expect-head", "expected SEQ:HASH as audit verify prints it");
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 12) return bad;
  const std::string seq = text.substr(0, colon);
  const std::string hash = text.substr(colon + 1);
  if (seq.find_first_not_of("0123456789") != std::string::npos || hash.size() != 64 ||
      hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return bad;
  }
  ChainAnchor a{std::stoll(seq), hash};
  if (a.seq < 1) return bad;
  return a;
}

}  // namespace slipway::slipctl

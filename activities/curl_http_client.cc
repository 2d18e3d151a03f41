#include "activities/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "engine/base/redact.h"

namespace slipway::activities {

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpResponse response;
  int64_t max_bytes = 0;
  bool truncate = false;  // at max_bytes: keep what came and stop (the request asked for it)
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  if (static_cast<int64_t>(t->response.body.size() + n) > t->max_bytes) {
    if (t->truncate) {
      t->response.body.append(data, static_cast<size_t>(t->max_bytes) - t->response.body.size());
      t->response.body_truncated = true;
    } else {
      t->too_large = true;
    }
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  std::string line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers = HttpHeaders();  // a new response (after 100 Continue or similar)
    return n;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    t->response.headers.Add(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  return n;
}

// "GET https://host/path" without the query string, which may carry ids we do not log.
std::string Describe(const HttpRequest& r) {
  std::string url = r.url.substr(0, r.url.find('?'));
  return RedactText(r.method + " " + url);
}

Status FromCurlCode(CURLcode code, const HttpRequest& r, const char* detail) {
  std::string what = Describe(r) + ": " + curl_easy_strerror(code);
  if (detail != nullptr && *detail != '\0') what += " (" + RedactText(detail) + ")";
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status(Code::kDeadlineExceeded, what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgument("url", what);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return Permanent(what);
    default:
      return Unavailable(what);
  }
}

curl_slist* BuildHeaders(const HttpRequest& r) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : r.headers.entries()) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  // Poco and others answer Expect: 100-continue slowly; our bodies are small, send them at once.
  if (!r.headers.Has("Expect")) list = curl_slist_append(list, "Expect:");
  return list;
}

void SetMethodAndBody(CURL* h, const HttpRequest& r) {
  if (r.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (r.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.data());
  }
}

void Configure(CURL* h, const HttpRequest& r, const CurlHttpClientOptions& o, curl_slist* headers,
               Transfer* t, char* error_buffer) {
  long timeout = static_cast<long>(std::max<int64_t>(1, r.timeout_ms));
  curl_easy_setopt(h, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required when several threads use curl
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(timeout, o.connect_timeout_ms)));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  // Send the path exactly as built: by default libcurl squashes "/../" segments, which turned
  // a ref like "../../../<owner>/<other-tenant>/tarball/x" into another repository's URL. The
  // REST clients refuse such paths (rest_util.h CheckUrlPath); nothing here rewrites one.
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  if (r.max_body_bytes <= 0) {  // a truncating read must not be refused for its announced size
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_response_bytes));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  SetMethodAndBody(h, r);
}

// CONNECT_TO "::ADDR:" keeps the URL's host and port for TLS and Host, and connects to ADDR
// (numeric: no DNS). A fresh, unkept connection: no reuse of one opened to another address.
curl_slist* PinAddress(CURL* h, const HttpRequest& r) {
  if (r.connect_address.empty()) return nullptr;
  bool v6 = r.connect_address.find(':') != std::string::npos && r.connect_address[0] != '[';
  std::string addr = v6 ? "[" + r.connect_address + "]" : r.connect_address;
  curl_slist* list = curl_slist_append(nullptr, ("::" + addr + ":").c_str());
  curl_easy_setopt(h, CURLOPT_CONNECT_TO, list);
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  return list;
}

}  // namespace

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

void HttpHeaders::Add(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
}

void HttpHeaders::Set(const std::string& name, std::string value) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const auto& e) { return EqualsIgnoreCase(e.first, name); }),
                 entries_.end());
  entries_.emplace_back(name, std::move(value));
}

std::optional<std::string> HttpHeaders::Get(const std::string& name) const {
  for (const auto& [n, v] : entries_) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options) : options_(std::move(options)) {
  GlobalInitOnce();
}

CurlHttpClient::~CurlHttpClient() { CloseIdleConnections(); }

void CurlHttpClient::CloseIdleConnections() {
  std::vector<void*> handles;
  {
    std::lock_guard<std::mutex> lock(mu_);
    handles.swap(idle_);
  }
  for (void* h : handles) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlHttpClient::TakeHandle() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlHttpClient::ReturnHandle(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));  // keeps the handle's live connections
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < options_.max_idle_handles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

Result<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  CURL* h = static_cast<CURL*>(TakeHandle());
  if (h == nullptr) return Internal("curl_easy_init failed");
  Transfer t;
  t.max_bytes = options_.max_response_bytes;
  if (request.max_body_bytes > 0 && request.max_body_bytes <= t.max_bytes) {
    t.max_bytes = request.max_body_bytes;
    t.truncate = true;
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = BuildHeaders(request);
  Configure(h, request, options_, headers, &t, error_buffer);
  curl_slist* pin = PinAddress(h, request);

  CURLcode code = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_slist_free_all(pin);
  ReturnHandle(h);

  if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return ResourceExhausted(Describe(request) + ": response larger than " +
                             std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && t.response.body_truncated)) {
    return FromCurlCode(code, request, error_buffer);
  }
  t.response.status = static_cast<int>(status);
  return std::move(t.response);
}

}  // namespace slipway::activities

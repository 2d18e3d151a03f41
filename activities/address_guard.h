// activities/address_guard.h: which addresses verify's crawl may connect to when it checks a
// tenant page's external links (a page is untrusted: its links must not reach Slipway's own
// network, the cloud metadata service or loopback).
//
// The crawl resolves a link's host once (HostResolver), refuses it when any address is not
// public, and then connects to the address it checked (HttpRequest::connect_address), so a DNS
// answer that changes between the check and the connection cannot move it. Pure functions and
// a thread-safe resolver.
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"

namespace slipway::activities {

// False for numeric addresses a crawl must not reach: IPv4 0/8, 10/8, 100.64/10, 127/8,
// 169.254/16, 172.16/12, 192.0.0/24, 192.168/16, 198.18/15, 224/4 and above; IPv6 ::, ::1,
// fc00::/7, fe80::/10, ff00::/8, and IPv4-mapped, -compatible or NAT64 (64:ff9b::/96) forms of
// the IPv4 ones. Also false for anything that is not a numeric address.
bool IsPublicAddress(const std::string& ip);

class HostResolver {
 public:
  virtual ~HostResolver() = default;
  // The numeric addresses of host. Errors: kUnavailable (no answer), kNotFound (no such host).
  virtual Result<std::vector<std::string>> Resolve(const std::string& host) = 0;
};

// getaddrinfo(3).
class SystemResolver final : public HostResolver {
 public:
  Result<std::vector<std::string>> Resolve(const std::string& host) override;
};

// The address to connect to for host: its first address when every address is public.
// Errors: the resolver's; kPermissionDenied naming the refused address otherwise.
Result<std::string> ResolvePublic(HostResolver& resolver, const std::string& host);

}  // namespace slipway::activities

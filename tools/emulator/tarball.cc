#include "tools/emulator/tarball.h"

#include <Poco/DeflatingStream.h>

#include <cstdio>
#include <cstring>
#include <sstream>

namespace slipway::emulator {

namespace {

constexpr size_t kBlock = 512;

void PutOctal(char* field, size_t width, uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

// Splits a long name into ustar's prefix (<=155) and name (<=100) at a '/'.
bool SplitName(const std::string& path, std::string* prefix, std::string* name) {
  if (path.size() <= 100) {
    *name = path;
    prefix->clear();
    return true;
  }
  for (size_t i = path.size() - 1; i > 0; --i) {
    if (path[i] == '/' && i <= 155 && path.size() - i - 1 <= 100) {
      *prefix = path.substr(0, i);
      *name = path.substr(i + 1);
      return true;
    }
  }
  return false;
}

bool AppendHeader(std::string* out, const std::string& path, uint64_t size, char type) {
  std::string prefix, name;
  if (!SplitName(path, &prefix, &name)) return false;
  char h[kBlock];
  std::memset(h, 0, sizeof h);
  std::memcpy(h, name.data(), name.size());
  PutOctal(h + 100, 8, type == '5' ? 0755 : 0644);
  PutOctal(h + 108, 8, 0);
  PutOctal(h + 116, 8, 0);
  PutOctal(h + 124, 12, size);
  PutOctal(h + 136, 12, 1'767'225'600);  // fixed mtime: same tree, same archive bytes
  std::memset(h + 148, ' ', 8);
  h[156] = type;
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memcpy(h + 345, prefix.data(), prefix.size());
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  out->append(h, kBlock);
  return true;
}

}  // namespace

Result<std::string> BuildTarGz(const std::string& prefix,
                               const std::map<std::string, std::string>& files) {
  std::string tar;
  if (!AppendHeader(&tar, prefix + "/", 0, '5')) return InvalidArgument("prefix", "too long");
  for (const auto& [path, content] : files) {
    if (!AppendHeader(&tar, prefix + "/" + path, content.size(), '0')) {
      return InvalidArgument("path", "path too long for ustar: " + path);
    }
    tar += content;
    tar.append((kBlock - content.size() % kBlock) % kBlock, '\0');
  }
  tar.append(2 * kBlock, '\0');

  std::ostringstream gz;
  Poco::DeflatingOutputStream deflate(gz, Poco::DeflatingStreamBuf::STREAM_GZIP);
  deflate.write(tar.data(), static_cast<std::streamsize>(tar.size()));
  deflate.close();
  return gz.str();
}

}  // namespace slipway::emulator

// files.cpp - capped reads of regular files, atomic writes and output checks (vmconform/files.hpp).
#include "vmconform/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vmc {
namespace fs = std::filesystem;

namespace {

std::string why(int err) { return std::strerror(err); }

/// The directory a path lives in ("." for a bare name).
fs::path parent_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

void require_writable_dir(const fs::path& dir, const std::string& option, const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw FileError(option + " " + path + ": directory " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw FileError(option + " " + path + ": cannot write into " + dir.string() + " (" + why(errno) + ")");
}

}  // namespace

std::string read_input_file(const std::string& path, const std::string& what, std::size_t max_bytes) {
  std::error_code ec;
  if (path.empty()) throw FileError("no " + what + " file given (an empty path)");
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw FileError("cannot read " + what + " " + path + ": no such file");
  if (!fs::is_regular_file(st)) throw FileError("cannot read " + what + " " + path + ": not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw FileError("cannot read " + what + " " + path + ": " + why(errno));
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw FileError("cannot read " + what + " " + path + ": " + why(err));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      ::close(fd);
      throw FileError(what + " " + path + " is larger than " + std::to_string(max_bytes) + " bytes: not a " + what +
                      " vmconform wrote");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw FileError("cannot write " + path + ": it is a directory");
  std::string temp = (parent_of(path) / ("." + fs::path(path).filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) throw FileError("cannot write " + path + ": " + why(errno));
  std::size_t done = 0;
  int err = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  // A new file gets the permissions a plain open() would have given it (mkstemp makes it 0600).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat old {};
  const mode_t mode = ::stat(path.c_str(), &old) == 0 ? (old.st_mode & 07777) : (0666 & ~mask);
  if (err == 0 && ::fchmod(fd, mode) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    throw FileError("cannot write " + path + ": " + why(err));
  }
}

void check_output_file(const std::string& path, const std::string& option) {
  if (path.empty()) throw FileError(option + " needs a file name (it was given \"\")");
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw FileError(option + " " + path + ": is a directory, not a file");
  if (fs::exists(path, ec) && ::access(path.c_str(), W_OK) != 0)
    throw FileError(option + " " + path + ": cannot replace it (" + why(errno) + ")");
  require_writable_dir(parent_of(path), option, path);
}

void check_output_dir(const std::string& path, const std::string& option) {
  if (path.empty()) throw FileError(option + " needs a directory (it was given \"\")");
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) throw FileError(option + " " + path + ": " + ec.message());
  if (fs::exists(p, ec)) {
    if (!fs::is_directory(p, ec)) throw FileError(option + " " + path + ": exists and is not a directory");
    if (::access(p.c_str(), W_OK | X_OK) != 0)
      throw FileError(option + " " + path + ": cannot write into it (" + why(errno) + ")");
    return;
  }
  // The nearest existing ancestor must be a directory we may create entries in.
  for (p = p.parent_path(); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p, ec)) {
      if (!fs::is_directory(p, ec))
        throw FileError(option + " " + path + ": " + p.string() + " exists and is not a directory");
      if (::access(p.c_str(), W_OK | X_OK) != 0)
        throw FileError(option + " " + path + ": cannot create it in " + p.string() + " (" + why(errno) + ")");
      return;
    }
    if (p == p.root_path()) break;
  }
  throw FileError(option + " " + path + ": no existing directory to create it in");
}

}  // namespace vmc
